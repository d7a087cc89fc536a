/// What the callbacks may steer during `fit`: Keras's `model.stop_training` and the
/// optimizer's learning rate.
public final class TrainingControl {
    /// Set to stop training: the current batch finishes, the epoch ends normally (validation,
    /// `on_epoch_end`), then `on_train_end`. `fit` clears it when it starts.
    public var stopRequested = false

    /// The optimizer whose rate `learningRate` reads and writes.
    public var optimizer: Optimizer?

    /// Read after every training batch: true ends `fit` with `FitInterrupted` (Ctrl-C), without
    /// the epoch's end or `on_train_end`. Nil: never.
    public var isInterrupted: (() -> Bool)?

    /// While `fit` runs, reads the running means of the epoch in progress (for a checkpoint
    /// taken from a hook); nil otherwise.
    public internal(set) var epochProgress: (() -> EpochProgress)?

    public init(optimizer: Optimizer? = nil) {
        self.optimizer = optimizer
    }

    /// The optimizer's learning rate (0 without one). Setting it takes effect at the next step.
    public var learningRate: Double {
        get { optimizer?.learningRate ?? 0 }
        set { optimizer?.learningRate = newValue }
    }

    /// Sets the learning rate after checking it is finite and not negative (what the plugin
    /// host's `set_learning_rate` promises).
    public func setLearningRate(_ value: Double) throws {
        guard value.isFinite, value >= 0 else {
            throw ModelError("the learning rate must be a finite, non-negative number, not \(value)")
        }
        guard optimizer != nil else { throw ModelError("there is no optimizer to set a learning rate on") }
        learningRate = value
    }
}
