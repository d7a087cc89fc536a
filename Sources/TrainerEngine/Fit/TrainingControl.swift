/// What the callbacks may steer during `fit`: Keras's `model.stop_training` and the
/// optimizer's learning rate.
public final class TrainingControl {
    /// Set to stop training: the current batch finishes, the epoch ends normally (validation,
    /// `on_epoch_end`), then `on_train_end`. `fit` clears it when it starts.
    public var stopRequested = false

    /// The optimizer whose rate `learningRate` reads and writes.
    public var optimizer: Optimizer?

    public init(optimizer: Optimizer? = nil) {
        self.optimizer = optimizer
    }

    /// The optimizer's learning rate (0 without one). Setting it takes effect at the next step.
    public var learningRate: Double {
        get { optimizer?.learningRate ?? 0 }
        set { optimizer?.learningRate = newValue }
    }
}
