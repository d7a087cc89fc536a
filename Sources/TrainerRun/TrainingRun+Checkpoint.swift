import Foundation
import TrainerEngine
import TrainerHost

/// "trainer.checkpoint/1" for a training run: what BackupAndRestore saves and resumes from.
extension TrainingRun {
    /// Weight names and shapes, to tell whether a checkpoint belongs to this model.
    var modelSignature: [String] {
        model.weights.map { "\($0.name)[\($0.shape.map(String.init).joined(separator: ","))]" }
    }

    /// Asks for a checkpoint: it is written once every plugin has run the hook being
    /// dispatched (`PositionTracker`), so it holds every plugin's state after that hook.
    public func saveCheckpoint(to directory: String) throws {
        guard let tracker else { throw CheckpointError("checkpoints can be taken during training only") }
        tracker.pendingCheckpoint = directory
        backupDirectory = directory
    }

    /// Writes a checkpoint of the run as it stands now; `progress`: the epoch's running means
    /// when `fit` no longer runs to tell them (an interrupted run).
    func writeCheckpoint(to directory: String, progress: EpochProgress? = nil) throws {
        guard let tracker else { throw CheckpointError("checkpoints can be taken during training only") }
        let position = CheckpointStore.Position(
            epoch: tracker.epoch, batch: tracker.batch, learningRate: learningRate, seed: config.seed,
            plugins: instances.map(\.id), model: modelSignature,
            progress: tracker.batch == nil ? nil : progress ?? model.control.epochProgress?())
        let states = try instances.map { (id: $0.id, bytes: try $0.saveState()) }
        try CheckpointStore(directory: directory).save(position: position, model: model, pluginStates: states)
    }

    public func requestResume(from directory: String) throws -> Bool {
        backupDirectory = directory
        guard try CheckpointStore(directory: directory).newest() != nil else { return false }
        pendingResume = directory
        return true
    }

    /// Removes the checkpoints in `directory`; during training, only once the final weights
    /// are written, so that a failure or a kill before then leaves a run that can resume.
    public func removeCheckpoints(in directory: String) throws {
        if tracker != nil {
            pendingRemovals.append(directory)
        } else {
            try CheckpointStore(directory: directory).removeAll()
        }
    }

    /// Does the removals asked for during training.
    func removePendingCheckpoints() throws {
        defer { pendingRemovals = [] }
        for directory in pendingRemovals { try CheckpointStore(directory: directory).removeAll() }
    }

    /// Restores the checkpoint a plugin asked for, once all plugins exist. Returns where
    /// training goes on: (epoch, first step in it, the running means of that epoch so far).
    func resumeIfRequested() throws -> (epoch: Int, step: Int, progress: EpochProgress?) {
        guard let directory = pendingResume else { return (0, 0, nil) }
        let store = CheckpointStore(directory: directory)
        guard let checkpoint = try store.newest() else { return (0, 0, nil) }
        let position = checkpoint.position
        let name = checkpoint.path
        guard position.model == modelSignature else {
            throw UsageProblem("\(name) was written for another model (\(position.model.joined(separator: ", ")))")
        }
        guard position.plugins == instances.map(\.id) else {
            throw UsageProblem("\(name) was written for the plugins \(position.plugins.joined(separator: ", ")), this run has \(instances.map(\.id).joined(separator: ", "))")
        }
        guard position.seed == config.seed else {
            throw UsageProblem("\(name) was written by a run with seed \(position.seed), this run has seed \(config.seed)")
        }
        do {
            _ = try model.loadWeights(from: (name as NSString).appendingPathComponent("weights.safetensors"))
            let optimizerFile = (name as NSString).appendingPathComponent("optimizer.safetensors")
            if FileManager.default.fileExists(atPath: optimizerFile) { try model.optimizer?.loadState(from: optimizerFile) }
            try setLearningRate(position.learningRate)
            for (index, instance) in instances.enumerated() {
                if let bytes = store.pluginState(in: checkpoint, index: index, id: instance.id) {
                    try instance.loadState(bytes)
                }
            }
        } catch {
            throw UsageProblem("cannot resume from \(name): \(error)")
        }
        let next = position.next
        runParameters.initialEpoch = next.epoch
        if config.verbose > 0 {
            let at = next.step > 0 ? "epoch \(next.epoch + 1), batch \(next.step + 1)" : "epoch \(next.epoch + 1)"
            Console.standardOutput("Resuming from \(name) at \(at)")
        }
        return (next.epoch, next.step, next.step > 0 ? position.progress : nil)
    }
}
