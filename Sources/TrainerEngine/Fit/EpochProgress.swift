/// The running means of an epoch in progress: the training loss and each compiled metric, as
/// sums since the epoch began. A checkpoint taken in the middle of an epoch saves them, and
/// `fit(initialProgress:)` continues them, so a resumed epoch's logs equal an uninterrupted
/// one's (Keras's logs are means over the whole epoch, not over the batches since a resume).
public struct EpochProgress: Codable, Equatable, Sendable {
    /// The loss, weighted by the samples of each batch.
    public var loss: RunningMean
    /// The compiled metrics, in compile order.
    public var metrics: [RunningMean]

    public init(loss: RunningMean, metrics: [RunningMean]) {
        self.loss = loss
        self.metrics = metrics
    }
}

/// `fit` stopped after a training batch because `TrainingControl.isInterrupted` said so: where
/// it stood, to checkpoint the run and resume it from the next batch.
public struct FitInterrupted: Error, Sendable {
    /// The epoch in progress and its last finished batch (0-based).
    public var epoch: Int
    public var batch: Int
    /// The epoch's running means up to and with that batch.
    public var progress: EpochProgress
}
