/// Keras's `mean_squared_error` (`mse`): mean of `(p - y)²` over the last axis, then the batch.
public final class MeanSquaredError: Loss {
    public var invalidTargets = 0
    public init() {}
    public var name: String { "mean_squared_error" }
    public func fuses(with activation: ActivationFunction) -> Bool { false }
    public func targetSize(forOutputShape outputShape: [Int]) -> Int { outputShape.elementCount }

    public func compute(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, batch: Int,
                        outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        let n = batch * outputShape.elementCount
        let scale = 2 / Float(n)
        var total: Double = 0
        for i in 0..<n {
            let d = p[i] - y[i]
            total += Double(d * d)
            gradient?[i] = d * scale
        }
        return total / Double(n)
    }
}
