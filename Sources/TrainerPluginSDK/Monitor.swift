
// Keras 3's `MonitorCallback` (keras/src/callbacks/monitor_callback.py), the base of
// EarlyStopping, ReduceLROnPlateau and ModelCheckpoint: which way a monitored value should
// move, and whether a value improves on a reference. For plugins that watch a metric.

/// Which way the monitored quantity should move (Keras's `monitor_op`).
public enum MonitorDirection: Equatable, Sendable {
    /// `ops.less`: lower is better (losses, errors).
    case minimize
    /// `ops.greater`: higher is better (accuracies, AUC, ...).
    case maximize
}

/// A monitored quantity with Keras's decision rule.
public struct Monitor: Sendable {
    /// The log name, e.g. "val_loss".
    public let name: String
    public let direction: MonitorDirection
    /// Keras's `min_delta` after `_set_monitor_op`: `abs(min_delta)`, negated when minimizing,
    /// so that `value - minDelta` is always the value made harder to count as an improvement.
    public let minDelta: Double

    /// `callback` names the plugin in the error for a direction `auto` cannot infer.
    public init(callback: String, monitor: String, mode: String, minDelta: Double = 0) throws {
        name = monitor
        switch mode {
        case "min": direction = .minimize
        case "max": direction = .maximize
        case "auto":
            guard let inferred = Monitor.inferredDirection(of: monitor) else {
                throw PluginError(
                    "\(callback) callback received monitor=\(monitor), but Keras isn't able to automatically "
                    + "determine whether that metric should be maximized or minimized. Pass `mode='max'` in "
                    + "order to monitor based on the highest metric value, or pass `mode='min'` in order to "
                    + "use the lowest value.")
            }
            direction = inferred
        default:
            throw PluginError("\(callback) mode '\(mode)' is unknown; use auto, min or max")
        }
        self.minDelta = direction == .minimize ? -abs(minDelta) : abs(minDelta)
    }

    /// Keras's `_is_improvement(value, reference)`: true when there is no reference yet, else
    /// `monitor_op(value - min_delta, reference)`. Keras compares with `ops.less`/`ops.greater`,
    /// which turn Python floats into float32 tensors: the difference is computed in double, then
    /// both sides are rounded to float32 and compared. NaN never improves on a number.
    public func isImprovement(_ value: Double, over reference: Double?) -> Bool {
        guard let reference else { return true }
        let candidate = Float(value - minDelta)
        let target = Float(reference)
        return direction == .minimize ? candidate < target : candidate > target
    }

    /// Mode "auto" as Keras 3 decides it: `loss` (after dropping a `val_` prefix) is minimized;
    /// otherwise the direction of the compiled metric of that name (`_direction` "up" or
    /// "down"). A plugin cannot see the model's metric objects, so the metric is known by the
    /// names Keras's `compile(metrics=[...])` accepts for it; nil for any other name (Keras
    /// raises a ValueError for those).
    public static func inferredDirection(of monitor: String) -> MonitorDirection? {
        let metric = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
        if metric == "loss" { return .minimize }
        let key = metric.lowercased()
        if maximizedMetrics.contains(key) { return .maximize }
        if minimizedMetrics.contains(key) { return .minimize }
        return nil
    }

    /// Metrics whose Keras class has `_direction = "up"`, by the names `compile` accepts
    /// (snake case and class name, lowercased; `acc` and `accuracy` resolve to an accuracy).
    static let maximizedMetrics: Set<String> = [
        "accuracy", "acc",
        "binary_accuracy", "binaryaccuracy",
        "categorical_accuracy", "categoricalaccuracy",
        "sparse_categorical_accuracy", "sparsecategoricalaccuracy",
        "top_k_categorical_accuracy", "topkcategoricalaccuracy",
        "sparse_top_k_categorical_accuracy", "sparsetopkcategoricalaccuracy",
        "auc", "precision", "recall",
        "precision_at_recall", "precisionatrecall",
        "recall_at_precision", "recallatprecision",
        "sensitivity_at_specificity", "sensitivityatspecificity",
        "specificity_at_sensitivity", "specificityatsensitivity",
        "f1_score", "f1score", "f_beta_score", "fbetascore",
        // ClassificationReport's val_f1: Keras's F1Score named "f1" has its direction up.
        "f1",
        "io_u", "iou", "binary_io_u", "binaryiou", "mean_io_u", "meaniou",
        "one_hot_io_u", "onehotiou", "one_hot_mean_io_u", "onehotmeaniou",
        "pearson_correlation", "pearsoncorrelation",
        "concordance_correlation", "concordancecorrelation",
        "cosine_similarity", "cosinesimilarity",
        "r2_score", "r2score",
    ]

    /// Metrics whose Keras class has `_direction = "down"`.
    static let minimizedMetrics: Set<String> = [
        "mean_squared_error", "meansquarederror", "mse",
        "mean_absolute_error", "meanabsoluteerror", "mae",
        "mean_absolute_percentage_error", "meanabsolutepercentageerror", "mape",
        "mean_squared_logarithmic_error", "meansquaredlogarithmicerror", "msle",
        "root_mean_squared_error", "rootmeansquarederror",
        "log_cosh_error", "logcosherror",
        "hinge", "squared_hinge", "squaredhinge", "categorical_hinge", "categoricalhinge",
        "binary_crossentropy", "binarycrossentropy", "bce",
        "categorical_crossentropy", "categoricalcrossentropy",
        "sparse_categorical_crossentropy", "sparsecategoricalcrossentropy",
    ]
}

/// Python's default warning filter prints a warning once per distinct message; so do these.
public struct WarningsOnce: Sendable {
    private var seen: Set<String> = []

    public init() {}

    public mutating func warn(_ message: String, through host: Host) {
        guard seen.insert(message).inserted else { return }
        host.log(.warning, message)
    }
}
