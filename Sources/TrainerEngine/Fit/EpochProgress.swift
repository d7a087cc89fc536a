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
