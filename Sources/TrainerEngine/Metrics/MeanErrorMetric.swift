/// Keras's `mae` / `mse` metrics: mean absolute or squared error over the last axis, then
/// the running mean over samples.
public final class MeanErrorMetric: Metric {
    public let name: String
    public let squared: Bool
    public var mean = RunningMean()
    public init(name: String, squared: Bool) {
        self.name = name
        self.squared = squared
    }
    public func reset() { mean.reset() }
    public var result: Double { mean.mean }

    public func update(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, batch: Int,
                       outputShape: [Int]) {
        let k = outputShape.lastDimension
        let n = batch * outputShape.elementCount
        var sum: Double = 0
        for i in 0..<n {
            let d = Double(p[i] - y[i])
            sum += squared ? d * d : abs(d)
        }
        mean.addSum(sum / Double(k), count: Double(n / max(k, 1)))
    }
}
