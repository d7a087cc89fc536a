/// Which way a monitored quantity improves: ModelCheckpoint's `monitor_op` (Keras's
/// `MonitorCallback._set_monitor_op`).
enum Direction: Equatable {
    /// `ops.less`: lower is better.
    case min
    /// `ops.greater`: higher is better.
    case max

    /// The direction for `mode` and `monitor`. With `auto`, `loss` and `val_loss` go down,
    /// and any other name goes the way Keras's metric of that name (without `val_`) goes; a
    /// name Keras would not recognise is an error, as Keras raises it.
    init(mode: String, monitor: String, callback: String) throws {
        switch mode {
        case "min": self = .min
        case "max": self = .max
        default:
            var name = Substring(monitor)
            if name.hasPrefix("val_") { name = name.dropFirst(4) }
            if name == "loss" || Self.decreasing.contains(String(name)) {
                self = .min
            } else if Self.increasing.contains(String(name)) {
                self = .max
            } else {
                throw DirectionError(message:
                    "\(callback) callback received monitor=\(monitor), but Keras isn't able to automatically "
                    + "determine whether that metric should be maximized or minimized. Pass `mode='max'` in "
                    + "order to monitor based on the highest metric value, or pass `mode='min'` in order to "
                    + "use the lowest value.")
            }
        }
    }

    /// Whether `current` is better than `reference`, compared in float32 as Keras's
    /// `ops.less`/`ops.greater` convert Python floats to float32 tensors.
    func improves(_ current: Double, on reference: Double) -> Bool {
        switch self {
        case .min: return Float(current) < Float(reference)
        case .max: return Float(current) > Float(reference)
        }
    }

    /// Keras 3 metrics whose `_direction` is "up", by the names they log under.
    static let increasing: Set<String> = [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall",
        "precision_at_recall", "recall_at_precision", "sensitivity_at_specificity", "specificity_at_sensitivity",
        "f1_score", "fbeta_score", "r2_score", "iou", "mean_iou", "binary_iou", "one_hot_iou", "one_hot_mean_iou",
        "cosine_similarity", "true_positives", "true_negatives", "pearson_correlation", "concordance_correlation",
    ]

    /// Keras 3 metrics whose `_direction` is "down".
    static let decreasing: Set<String> = [
        "mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
        "mean_squared_logarithmic_error", "msle", "root_mean_squared_error", "log_cosh_error", "logcosh",
        "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
        "binary_focal_crossentropy", "categorical_focal_crossentropy", "hinge", "squared_hinge",
        "categorical_hinge", "kl_divergence", "kld", "poisson", "false_positives", "false_negatives",
    ]
}

struct DirectionError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
