/// A metric accumulated over batches as Keras's `MeanMetricWrapper`: per-sample values,
/// summed, divided by the number of samples seen since `reset`.
public protocol Metric: AnyObject {
    /// The name in logs (`accuracy`, `mae`, ...).
    var name: String { get }
    func reset()
    /// Adds `batch` samples.
    func update(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int, outputShape: [Int])
    /// The running mean (0 before any update).
    var result: Double { get }
    /// The sums behind `result` since `reset`: saved with a checkpoint taken in the middle of an
    /// epoch and set back when the run resumes, so the epoch's mean covers all its batches.
    var mean: RunningMean { get set }
}

/// A running mean weighted by sample counts (Keras's `Mean` with `sample_weight`).
public struct RunningMean: Codable, Equatable, Sendable {
    public private(set) var total: Double = 0
    public private(set) var count: Double = 0
    public init() {}
    public init(total: Double, count: Double) {
        self.total = total
        self.count = count
    }
    public mutating func reset() { total = 0; count = 0 }
    public mutating func add(_ value: Double, weight: Double) {
        total += value * weight
        count += weight
    }
    public mutating func addSum(_ sum: Double, count n: Double) {
        total += sum
        count += n
    }
    public var mean: Double { count > 0 ? total / count : 0 }
}

/// Resolves metric names as Keras 3's `compile(metrics=[...])`.
public enum Metrics {
    /// The metric `name` for a model with `outputShape` and targets of `targetShape` (per sample).
    ///
    /// `accuracy` (or `acc`) resolves as Keras 3's `get_metric`: binary accuracy when the
    /// prediction's last axis is 1; sparse categorical accuracy when the target has a lower
    /// rank than the prediction (or a last axis of 1 against a wider prediction); else
    /// categorical accuracy. The metric keeps the name it was asked by.
    public static func named(_ name: String, outputShape: [Int], targetShape: [Int]) -> Metric? {
        switch name.lowercased() {
        case "accuracy", "acc":
            let predLast = outputShape.last ?? 1
            let targetLast = targetShape.last ?? 1
            if predLast == 1 { return BinaryAccuracy(name: name) }
            if targetShape.count < outputShape.count || (targetLast == 1 && predLast > 1) {
                return SparseCategoricalAccuracy(name: name)
            }
            return CategoricalAccuracy(name: name)
        case "sparse_categorical_accuracy": return SparseCategoricalAccuracy(name: name)
        case "categorical_accuracy": return CategoricalAccuracy(name: name)
        case "binary_accuracy": return BinaryAccuracy(name: name)
        case "mae", "mean_absolute_error": return MeanErrorMetric(name: name, squared: false)
        case "mse", "mean_squared_error": return MeanErrorMetric(name: name, squared: true)
        default: return nil
        }
    }
}
