import TrainerEngine
import TrainerHost

/// Feeds recorded logs through plugins as `fit` would call them, without training:
/// `on_train_begin`; per epoch `on_epoch_begin(e)`, the epoch's batches if recorded
/// (`on_train_batch_begin/end`), `on_epoch_end(e, logs[e])`; it stops after the first epoch
/// at whose end (or in whose batches) a plugin asked to stop; then `on_train_end`.
struct Replayer {
    /// What the plugins did.
    struct Outcome {
        var epochsRun = 0
        /// 0-based epoch at whose end training stopped, nil when it ran to the end.
        var stoppedEpoch: Int?
        /// The batch whose end asked to stop, with its epoch.
        var stoppedAt: (epoch: Int, batch: Int)?
        /// The reason the stopping plugin gave (`stop_training_because`).
        var stopReason: (plugin: String, reason: String)?
        var learningRateAtEpochBegin: [Double] = []
        var finalLearningRate: Double = 0
        var savedPaths: [String] = []
        var restoredEpoch: Int?
        /// What each plugin reported, by plugin id.
        var reports: [(plugin: String, name: String, value: Double)] = []
    }

    let session: ReplaySession
    let instances: [PluginInstance]

    func run(epochs: [RecordedLogs], batches: [[RecordedLogs]] = []) throws -> Outcome {
        let dispatcher = PluginDispatcher(instances: instances)
        let empty = Logs()
        let epochLogs = Logs()
        let batchLogs = Logs()
        var outcome = Outcome()
        let epochCount = max(epochs.count, batches.count)
        try dispatcher.trainBegin(logs: empty)
        for epoch in 0..<epochCount {
            session.currentEpoch = epoch
            try dispatcher.epochBegin(epoch, logs: empty)
            outcome.learningRateAtEpochBegin.append(session.learningRate)
            if epoch < batches.count {
                for (index, logs) in batches[epoch].enumerated() {
                    try dispatcher.trainBatchBegin(index, logs: empty)
                    logs.fill(batchLogs)
                    try dispatcher.trainBatchEnd(index, logs: batchLogs)
                    if session.stopRequested {
                        outcome.stoppedAt = (epoch, index)
                        break
                    }
                }
            }
            (epoch < epochs.count ? epochs[epoch] : RecordedLogs([])).fill(epochLogs)
            try dispatcher.epochEnd(epoch, logs: epochLogs)
            outcome.epochsRun = epoch + 1
            if session.stopRequested {
                outcome.stoppedEpoch = epoch
                break
            }
        }
        try dispatcher.trainEnd(logs: epochLogs)
        outcome.finalLearningRate = session.learningRate
        outcome.savedPaths = session.relativeSavedPaths()
        outcome.restoredEpoch = session.restoredEpoch
        outcome.stopReason = session.stopReason
        outcome.reports = instances.flatMap { instance in instance.reports.map { (instance.id, $0.name, $0.value) } }
        return outcome
    }
}
