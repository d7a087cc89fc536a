import CTrainerGuard
import Foundation
import Logging
import TrainerData
import TrainerEngine
import TrainerHost

/// One run of a configured model: `trainer train`, `evaluate` or `predict`. It loads the data,
/// builds the model and creates the plugins, and it is the `TrainingSession` behind every
/// plugin's host table.
public final class TrainingRun: TrainingSession {
    let plan: RunPlan
    let model: Sequential
    let data: DataFactory.Loaded
    /// The run's plugins, in order, once `createPlugins` made them.
    private(set) var instances: [PluginInstance] = []
    /// The checkpoint directory a plugin asked to resume from, during creation.
    var pendingResume: String?
    /// Where training stands, while it runs (for checkpoints).
    private(set) var tracker: PositionTracker?
    /// Checkpoint directories to remove once the final weights are written.
    var pendingRemovals: [String] = []
    /// Where a plugin (BackupAndRestore) keeps the run's backups: an interrupted run backs up
    /// there before it exits.
    var backupDirectory: String?
    public internal(set) var runParameters: RunParameters
    /// The failures of isolated plugins, for `report.json` and the final message.
    let failures = PluginFailureLog()
    /// The first stop asked for through `stop_training_because`, for `report.json` and the end.
    var stop: StopRequest?
    private var predictorStorage: Predictor?
    /// Where the run writes; removed again when a command ends without writing into it.
    let directory: RunDirectory
    var config: RunConfig { plan.config }
    /// Under mpirun: this rank's place in the job (see "Training on several processes").
    let communicator: MPICommunicator?
    /// Whether this process writes the run's files and prints: rank 0, or the only process.
    var isRoot: Bool { (communicator?.rank ?? 0) == 0 }

    /// Everything that can be wrong with the configuration, data, model or plugins is found
    /// here, before any step: it throws `UsageProblem`.
    public init(_ options: TrainOptions) throws {
        plan = try RunPlan(options)
        let config = plan.config
        let source = plan.source
        data = try UsageProblem.wrap { try DataFactory.load(config.data, loss: config.model.loss, source: source) }
        let training = data.training
        model = try UsageProblem.wrap {
            try ModelFactory.model(config.model, inputShape: training.featureShape,
                                   maxBatch: min(config.batchSize, training.count), seed: config.seed, source: source)
        }
        let origin = plan.runDirectoryOrigin
        communicator = MPICommunicator.current
        if let communicator {
            try RankAgreement.check(config, data: data, everyRank: config.everyRank, communicator: communicator)
            // Rank 0 makes the run directory; the others write (every-rank plugins) into the same path.
            var made: RunDirectory?
            if communicator.rank == 0 {
                made = try UsageProblem.wrap { try RunDirectory.create(named: config.runDirectory, origin: origin) }
            }
            let path = communicator.broadcast(made?.path ?? "")
            if made == nil {
                try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            }
            directory = made ?? RunDirectory(path: path)
        } else {
            directory = try UsageProblem.wrap { try RunDirectory.create(named: config.runDirectory, origin: origin) }
        }
        Self.guardPluginCalls(timeout: config.hookTimeout)
        let ranks = communicator?.worldSize ?? 1
        let shardSamples = Shard(rank: 0, ranks: ranks, padded: true).samples(of: training.count)
        runParameters = RunParameters(
            verbose: config.verbose, epochs: config.epochs, steps: Self.steps(shardSamples, batchSize: config.batchSize),
            batchSize: config.batchSize, samples: training.count, initialEpoch: 0, runDirectory: directory.path,
            validationSamples: data.validation?.count ?? 0, rank: communicator?.rank ?? 0, worldSize: ranks)
    }

    /// Creates the configured plugins, each with a host table serving this run.
    /// Under mpirun, ranks other than 0 create only the plugins listed in `every_rank`.
    func createPlugins() throws {
        failures.currentEpoch = { [weak self] in self?.tracker?.epoch }
        let isolation = PluginIsolation(timeout: config.hookTimeout, failures: failures)
        let everyRank = Set(config.everyRank.map { $0.lowercased() })
        let plugins = isRoot ? config.plugins : config.plugins.filter { everyRank.contains($0.id.lowercased()) }
        do {
            instances = try plan.registry.instantiate(plugins, session: self, pins: config.pins,
                                                      logger: Self.pluginLogger(verbose: config.verbose), isolation: isolation)
        } catch let failed as PluginRunError {
            if case .isolatedFailed = failed {
                if isRoot { try? Self.writeReport([], failures: failures, into: runParameters.runDirectory) }
                throw TrainingFailure("\(failed)")
            }
            throw UsageProblem("\(failed)")
        } catch {
            throw UsageProblem("\(error)")
        }
    }

    /// The logger behind every plugin's `host->log`: debug messages shown at `--verbose 2`.
    static func pluginLogger(verbose: Int) -> Logger {
        var logger = Logger(label: "trainer.plugins")
        logger.logLevel = verbose >= 2 ? .debug : .info
        return logger
    }

    /// Repeats the failures of isolated plugins at the end of a command, on standard error.
    func reportPluginFailures() {
        for failure in failures.failures {
            let action = failure.action == .disable ? "it was disabled for the rest of the run" : "the run stopped"
            Console.standardError("warning: \(failure.summary)\(failure.place); \(action)")
        }
    }

    /// Runs `trainer train`. Throws `UsageProblem` for anything wrong before training starts
    /// and `TrainingFailure` when training itself fails.
    public static func train(_ options: TrainOptions) throws {
        let run = try TrainingRun(options)
        do {
            try run.loadInitialWeights()
            try run.train()
        } catch {
            run.directory.removeIfEmpty()
            throw error
        }
    }

    func train() throws {
        let directory = runParameters.runDirectory
        Self.timedRun = self
        defer { Self.timedRun = nil }
        try createPlugins()
        var start = try resumeIfRequested()
        if let communicator {
            // Rank 0 read the checkpoint (its weights and optimizer reach the others as `fit`
            // starts); every rank goes on from the same position.
            var position = [Int64(start.epoch), Int64(start.step)]
            position.withUnsafeMutableBytes { communicator.broadcast($0.baseAddress!, bytes: $0.count) }
            if !isRoot {
                start = (Int(position[0]), Int(position[1]), nil)
                runParameters.initialEpoch = start.epoch
            }
        }
        if config.verbose > 0 && isRoot {
            Console.standardOutput(model.summary())
            let validation = data.validation.map { ", validating on \($0.count)" } ?? ""
            Console.standardOutput("Training on \(data.training.count) samples\(validation); run directory: \(directory)")
            if let communicator {
                Console.standardOutput("Data-parallel on \(communicator.worldSize) ranks: \(runParameters.steps) batches of \(config.batchSize) per rank and epoch")
            }
        }
        let tracker = PositionTracker(PluginDispatcher(instances: instances)) { [unowned self] directory in
            do { try self.writeCheckpoint(to: directory) } catch {
                throw TrainingFailure("could not write the checkpoint in \(directory): \(error)")
            }
        }
        self.tracker = tracker
        defer { self.tracker = nil }
        // Ctrl-C and SIGTERM: the current batch finishes, then `interrupted` below.
        trainer_interrupts_install()
        model.control.isInterrupted = { trainer_interrupt_signal() != 0 }
        defer {
            model.control.isInterrupted = nil
            trainer_interrupts_remove()
        }
        let trainingStart = DispatchTime.now().uptimeNanoseconds
        do {
            try model.fit(train: data.training, validation: data.validation, epochs: config.epochs,
                          batchSize: config.batchSize, shuffle: config.shuffle, seed: config.seed,
                          initialEpoch: start.epoch, initialStep: start.step, initialProgress: start.progress,
                          callbacks: tracker, control: model.control, communicator: communicator)
        } catch let stop as FitInterrupted {
            throw interrupted(stop, signal: trainer_interrupt_signal())
        } catch {
            if isRoot { try? Self.writeReport(instances, failures: failures, stop: stop, into: directory) }
            throw TrainingFailure("\(error)")
        }
        if let communicator, config.verbose > 0, isRoot, communicator.floatSums > 0 {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - trainingStart) / 1e9
            let each = communicator.floatSumSeconds / Double(communicator.floatSums)
            Console.standardOutput(String(
                format: "Gradient allreduce on rank 0: %d steps of %d floats (%d bytes), %.1f us each, %.1f%% of %.2f s of training",
                communicator.floatSums, communicator.floatsSummed, communicator.floatsSummed * 4, each * 1e6,
                100 * communicator.floatSumSeconds / seconds, seconds))
        }
        // Every rank holds the same weights; rank 0 writes them.
        guard isRoot else { return }
        do { try Self.writeReport(instances, failures: failures, stop: stop, into: directory) } catch {
            throw TrainingFailure("could not write the plugins' report: \(error)")
        }
        let weights = (directory as NSString).appendingPathComponent("weights.safetensors")
        do { try saveWeights(to: weights) } catch {
            throw TrainingFailure("could not save the final weights: \(error)")
        }
        if config.verbose > 0, let stop { Console.standardOutput(stop.sentence) }
        if config.verbose > 0 { Console.standardOutput("Saved the final weights to \(weights)") }
        reportPluginFailures()
        do { try removePendingCheckpoints() } catch {
            throw TrainingFailure("could not remove the backup: \(error)")
        }
    }

    /// Warm start (`--initial-weights`, `initial_weights`): sets every weight from the file
    /// before the plugins are made and before the first step, as Keras's `load_weights` before
    /// `fit`; the optimizer starts fresh. A file that does not hold exactly the model's
    /// weights (a tensor missing, extra, of another shape or dtype) changes nothing and is a
    /// usage problem naming the file and the tensor. A BackupAndRestore backup found when
    /// training starts is restored over these weights, as Keras's BackupAndRestore does.
    func loadInitialWeights() throws {
        guard let initial = plan.initialWeights else { return }
        do { try model.loadWeights(from: initial.path) } catch {
            throw UsageProblem("\(initial.origin): \(error)")
        }
        if config.verbose > 0 { Console.standardOutput("Starting from the weights in \(initial.path)") }
    }

    /// After Ctrl-C or SIGTERM: backs the run up where BackupAndRestore keeps its backups, writes
    /// the report, and says how to go on. Returns the error the command exits with.
    func interrupted(_ stop: FitInterrupted, signal: Int32) -> Error {
        let directory = runParameters.runDirectory
        let at = "epoch \(stop.epoch + 1), batch \(stop.batch + 1)"
        var message = "Interrupted at \(at)."
        if let backup = backupDirectory {
            do {
                try writeCheckpoint(to: backup, progress: stop.progress)
                message += " Backed up to \(backup): run the same command again to resume from the next batch."
            } catch {
                message += " Could not back up to \(backup): \(error)."
            }
        } else {
            message += isRoot ? " Enable BackupAndRestore to make a run resumable." : ""
        }
        if isRoot { try? Self.writeReport(instances, failures: failures, stop: self.stop, into: directory) }
        // Every rank stopped after the same batch; none exits (which ends the job) before rank 0
        // has written the backup.
        _ = communicator?.sum(0)
        return RunInterrupted(signal: signal, description: message)
    }

    /// `report.json`: what the plugins reported through "trainer.report/1", by plugin, and
    /// `plugin_failures`: the isolated plugins that crashed, exited, hung or garbled an answer
    /// (plugin, hook, epoch and batch when known, reason, action).
    /// `stop`: the plugin that stopped the run with a reason (`stop_training_because`), the
    /// reason and where (0-based epoch and batch).
    static func writeReport(_ instances: [PluginInstance], failures: PluginFailureLog?, stop: StopRequest? = nil,
                            into directory: String) throws {
        var report: [String: Any] = [:]
        if let stop {
            var entry: [String: Any] = ["plugin": stop.plugin]
            if let reason = stop.reason { entry["reason"] = reason }
            if let epoch = stop.epoch { entry["epoch"] = epoch }
            if let batch = stop.batch { entry["batch"] = batch }
            report["stop"] = entry
        }
        for instance in instances where !instance.reports.isEmpty {
            var values = report[instance.id] as? [String: Double] ?? [:]
            values.merge(instance.reports.map { ($0.name, $0.value) }) { $1 }
            report[instance.id] = values
        }
        if let failures, !failures.failures.isEmpty { report["plugin_failures"] = failures.reportEntries }
        guard !report.isEmpty else { return }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory).appendingPathComponent("report.json"), options: .atomic)
    }

    // MARK: - TrainingSession

    public func requestStop() { model.control.stopRequested = true }

    public var learningRate: Double { model.control.learningRate }

    public func setLearningRate(_ value: Double) throws { try model.control.setLearningRate(value) }

    public func weightViews() -> [WeightView] {
        model.weights.map { WeightView(name: $0.name, shape: $0.shape, data: UnsafePointer($0.value), count: $0.count) }
    }

    public func snapshotWeights() -> [[Float]] { model.weights.map(\.values) }

    public func restoreWeights(_ snapshot: [[Float]]) throws {
        let weights = model.weights
        guard snapshot.count == weights.count, zip(snapshot, weights).allSatisfy({ $0.count == $1.count }) else {
            throw ModelError("the snapshot does not match the model's weights")
        }
        for (values, weight) in zip(snapshot, weights) { weight.setValues(values) }
    }

    public func saveWeights(to path: String) throws { try model.saveWeights(to: path) }

    public func loadWeights(from path: String) throws { _ = try model.loadWeights(from: path) }

    public func evaluate() throws -> Logs {
        guard let validation = data.validation else { throw ModelError("the run has no validation data") }
        return try model.evaluate(validation, batchSize: runParameters.batchSize)
    }

    public func requestStop(plugin: String, reason: String?) {
        if stop == nil {
            stop = StopRequest(plugin: plugin, reason: reason, epoch: tracker?.epoch, batch: tracker?.batch)
        }
        requestStop()
    }

    public func setWeight(_ index: Int, from values: UnsafeBufferPointer<Float>) throws {
        let weight = model.weights[index]
        guard values.count == weight.count, let base = values.baseAddress else {
            throw ModelError("\(weight.name) has \(weight.count) values, got \(values.count)")
        }
        weight.value.update(from: base, count: weight.count)
    }

    public var validationBatchCount: Int { (try? predictor())?.batchCount ?? 0 }

    public func predictValidationBatch(_ batch: Int) throws -> Prediction {
        let predictor = try predictor()
        let made = predictor.batch(batch)
        return Prediction(firstSample: made.firstSample, rows: made.rows, outputSize: predictor.outputSize,
                          outputs: made.outputs, targetSize: made.targetSize, targets: made.targets)
    }

    public func predict(_ inputs: UnsafeBufferPointer<Float>, rows: Int, inputSize: Int) throws -> Prediction {
        guard inputSize == model.inputSize else {
            throw ModelError("the model takes \(model.inputSize) values per sample (input shape \(model.inputShape)), got input_size \(inputSize)")
        }
        let (outputs, overflow) = rows.multipliedReportingOverflow(by: model.outputSize)
        guard !overflow, outputs <= Self.maximumPredictedValues else {
            throw ModelError("predicting \(rows) samples at once would make more than \(Self.maximumPredictedValues) outputs; pass fewer rows")
        }
        let predictor = try predictor()
        let predicted = predictor.predict(inputs.baseAddress, rows: rows)
        return Prediction(firstSample: 0, rows: rows, outputSize: predictor.outputSize, outputs: predicted,
                          targetSize: 0, targets: nil)
    }

    /// The most outputs one "trainer.predict/1" call may ask for (1 GiB of floats).
    static let maximumPredictedValues = 1 << 28

    /// The predictor over the validation data, made on first use.
    private func predictor() throws -> Predictor {
        if let predictorStorage { return predictorStorage }
        let made = try Predictor(model: model, dataset: data.validation, batchSize: runParameters.batchSize)
        predictorStorage = made
        return made
    }
}

/// The first stop a plugin asked for with a reason, and where the run stood (0-based).
struct StopRequest {
    var plugin: String
    var reason: String?
    var epoch: Int?
    var batch: Int?

    /// "EarlyStopping stopped training at epoch 7: val_loss did not improve for 3 epochs"
    /// (epochs and batches counted from 1, as the progress bar counts them).
    var sentence: String {
        var place = ""
        if let epoch {
            place = " at epoch \(epoch + 1)"
            if let batch, batch >= 0 { place += ", batch \(batch + 1)" }
        }
        return "\(plugin) stopped training\(place)" + (reason.map { ": \($0)" } ?? "")
    }
}

extension TrainingRun {
    /// The run whose report a hook timeout writes before the process exits.
    nonisolated(unsafe) static var timedRun: TrainingRun?

    /// Reports plugins that crash, call exit() or hang in a call (`trainer_guard.h`); a call
    /// that lasts more than `timeout` seconds ends the run after writing the report.
    static func guardPluginCalls(timeout: Double) {
        trainer_guard_install()
        trainer_guard_set_timeout(timeout, { _ in
            guard let run = TrainingRun.timedRun else { return }
            try? TrainingRun.writeReport(run.instances, failures: run.failures, stop: run.stop, into: run.runParameters.runDirectory)
        }, nil)
    }
}
