/// A loss function with Keras semantics: per-sample losses, then the mean over the batch
/// (`sum_over_batch_size`).
///
/// `compute` returns that mean and, when asked, writes d(mean)/d(prediction) for every
/// prediction value. When the model's last layer ends in an activation the loss `fuses` with
/// (softmax for cross-entropy, sigmoid for binary cross-entropy), the model asks for the
/// gradient with respect to the activation's input instead, which is simpler and stable:
/// `prediction - target`, as the frameworks compute it from logits.
public protocol Loss: AnyObject {
    /// Keras's name, e.g. `sparse_categorical_crossentropy`.
    var name: String { get }
    /// Whether `compute(..., fused: true)` is available for a last layer ending in `activation`.
    func fuses(with activation: ActivationFunction) -> Bool
    /// Floats of one sample's target this loss expects for predictions of `outputShape`.
    func targetSize(forOutputShape outputShape: [Int]) -> Int
    /// The mean loss over `batch` samples; writes the gradient when `gradient` is not nil.
    /// Targets the loss cannot use (a class index out of range) count in `invalidTargets`.
    func compute(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                 outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double
    /// Targets seen by `compute` that it could not use, since the last reset.
    var invalidTargets: Int { get set }
    /// The mean loss from `logits`, the values the activation this loss fuses with turned into
    /// `prediction`, as Keras computes cross-entropy after a softmax or sigmoid output (from
    /// the logits, without clipping); the gradient, when asked, is the fused one (with respect
    /// to the logits). Losses that never fuse use `prediction` alone.
    func compute(prediction: UnsafePointer<Float>, logits: UnsafePointer<Float>, target: UnsafePointer<Float>,
                 batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?) -> Double
}

extension Loss {
    public func compute(prediction: UnsafePointer<Float>, logits: UnsafePointer<Float>, target: UnsafePointer<Float>,
                        batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?) -> Double {
        compute(prediction: prediction, target: target, batch: batch, outputShape: outputShape, gradient: gradient,
                fused: true)
    }

    /// From `logits` when they are given, else from `prediction`.
    @inline(__always)
    func compute(prediction: UnsafePointer<Float>, logits: UnsafePointer<Float>?, target: UnsafePointer<Float>,
                 batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        if let logits {
            return compute(prediction: prediction, logits: logits, target: target, batch: batch,
                           outputShape: outputShape, gradient: gradient)
        }
        return compute(prediction: prediction, target: target, batch: batch, outputShape: outputShape,
                       gradient: gradient, fused: fused)
    }
}

/// Keras's epsilon for clipping probabilities.
let probabilityEpsilon: Float = 1e-7

/// Creates losses from Keras's names.
public enum Losses {
    /// The names `named(_:)` accepts.
    public static let names = [
        "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
        "mean_squared_error", "mse", "mean_absolute_error", "mae",
    ]

    /// The loss Keras calls `name`, or nil.
    public static func named(_ name: String) -> Loss? {
        switch name.lowercased() {
        case "sparse_categorical_crossentropy": return SparseCategoricalCrossentropy()
        case "categorical_crossentropy": return CategoricalCrossentropy()
        case "binary_crossentropy": return BinaryCrossentropy()
        case "mean_squared_error", "mse": return MeanSquaredError()
        case "mean_absolute_error", "mae": return MeanAbsoluteError()
        default: return nil
        }
    }
}
