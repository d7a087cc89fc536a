/// Keras's `mean_absolute_error` (`mae`): mean of `|p - y|` over the last axis, then the batch.
/// The gradient at `p == y` is 0, as TensorFlow's `sign`.
public final class MeanAbsoluteError: Loss {
    public var invalidTargets = 0
    public init() {}
    public var name: String { "mean_absolute_error" }
    public func fuses(with activation: ActivationFunction) -> Bool { false }
    public func targetSize(forOutputShape outputShape: [Int]) -> Int { outputShape.elementCount }

    public func compute(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, batch: Int,
                        outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        let n = batch * outputShape.elementCount
        let scale = 1 / Float(n)
        var total: Double = 0
        for i in 0..<n {
            let d = p[i] - y[i]
            total += Double(abs(d))
            gradient?[i] = d > 0 ? scale : (d < 0 ? -scale : 0)
        }
        return total / Double(n)
    }
}
