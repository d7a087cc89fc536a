import TrainerPluginSDK

/// Keras's `EarlyStopping` callback as a plugin (keras/src/callbacks/early_stopping.py,
/// Keras 3.15): stops training when a monitored quantity has stopped improving.
///
/// At each epoch's end, with `current` the monitored value (an epoch without it gets Keras's
/// warning and no decision, as does an epoch before `start_from_epoch`):
///
/// - with `restore_best_weights` and no best weights yet, the current weights become the best
///   (`best_epoch` = this epoch);
/// - `wait` grows by one;
/// - `current` improves when `current - min_delta` beats the best so far (the first monitored
///   value always does; `min_delta` counts against the direction, whatever its sign). Then it
///   becomes the best, `best_epoch` this epoch, its weights are snapshotted with
///   `restore_best_weights`, and `wait` returns to 0 only if `current` also improves on
///   `baseline` (when one is given);
/// - otherwise, once `wait >= patience` (and past epoch 0), training stops.
///
/// At train end it prints `Epoch N: early stopping` when it stopped training (verbose 1) and,
/// with `restore_best_weights`, puts the best weights back whether or not it stopped (Keras 3),
/// printing `Restoring model weights from the end of the best epoch: N.`. Decisions are
/// reported through "trainer.report/1": `best_epoch` and `stopped_epoch` (0-based).
///
/// Mode `auto` minimizes `loss`/`val_loss` and follows the direction of Keras's metric of that
/// name otherwise (accuracies, AUC, precision... up; errors and crossentropies down); a name
/// whose direction is unknown is refused when the plugin is created. Comparisons are made in
/// float32, as Keras's `ops.less`/`ops.greater` make them.
///
/// The saved state (version 1) holds the counters, the best value and, with
/// `restore_best_weights`, the path of a safetensors file with the best epoch's weights,
/// written into the run directory when the state is saved.
public final class EarlyStopping: TrainerCallback, OnTrainBegin, OnEpochEnd, OnTrainEnd, StatefulCallback {
    public static let id = "EarlyStopping"
    public static let name = "Early stopping"
    public static let version = "1.0.0"
    public static let summary = "Stops training when a monitored quantity has stopped improving (Keras EarlyStopping)."
    public static let parameters: [ParameterSpec] = [
        .string("monitor", default: "val_loss", help: "quantity to be monitored, a name in the epoch logs"),
        .double("min_delta", default: 0,
                help: "minimum change that counts as an improvement (its sign is ignored)"),
        .int("patience", default: 0,
             help: "epochs with no improvement after which training is stopped", min: 0),
        .int("verbose", default: 0, help: "0 silent, 1 print a message when the callback acts", min: 0),
        .string("mode", default: "auto",
                help: "min: stop when the quantity stops decreasing; max: stops increasing; auto: from the name",
                choices: ["auto", "min", "max"]),
        .double("baseline", default: nil,
                help: "value the quantity must improve on, or training stops after patience epochs (none: no baseline)"),
        .bool("restore_best_weights", default: false,
              help: "restore the weights of the best epoch at the end of training (even when it did not stop)"),
        .int("start_from_epoch", default: 0,
             help: "epochs to wait before starting to monitor improvement (warm-up)", min: 0),
    ]

    private let host: Host
    private let reporter: Reporter
    private let monitor: Monitor
    private let patience: Int
    private let verbose: Int
    private let baseline: Double?
    private let restoreBestWeights: Bool
    private let startFromEpoch: Int
    private let runDirectory: String

    // Keras's attributes.
    private var wait = 0
    private var stoppedEpoch = 0
    private var best: Double?
    private var bestEpoch = 0
    private var bestWeights: WeightSnapshot?

    /// Set by a loaded state, so on_train_begin continues it instead of starting afresh.
    private var resumed = false
    /// A loaded state's best-weights file, read into a snapshot at on_train_begin.
    private var bestWeightsFileToLoad: String?
    /// Bumped whenever `bestWeights` changes; the file written by saveState is of `writtenGeneration`.
    private var bestWeightsGeneration = 0
    private var writtenGeneration = -1
    private var warnings = WarningsOnce()

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        reporter = Reporter(host: host)
        monitor = try Monitor(callback: Self.id, monitor: try parameters.string("monitor"),
                              mode: try parameters.string("mode"),
                              minDelta: try parameters.double("min_delta"))
        patience = try parameters.int("patience")
        verbose = try parameters.int("verbose")
        baseline = try parameters.optionalDouble("baseline")
        restoreBestWeights = try parameters.bool("restore_best_weights")
        startFromEpoch = try parameters.int("start_from_epoch")
        runDirectory = (try? host.runParameters.runDirectory) ?? ""
    }

    public func onTrainBegin(logs: Logs) throws {
        if !resumed {
            // Keras: "Allow instances to be re-used across model.fit() calls."
            wait = 0
            stoppedEpoch = 0
            best = nil
            bestEpoch = 0
            releaseBestWeights()
        }
        if let file = bestWeightsFileToLoad {
            bestWeightsFileToLoad = nil
            loadBestWeights(from: file)
        }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        guard let current = logs[monitor.name] else {
            let available = logs.names.joined(separator: ",")
            warnings.warn("Early stopping conditioned on metric `\(monitor.name)` which is not available. "
                          + "Available metrics are: \(available)", through: host)
            return
        }
        guard epoch >= startFromEpoch else { return }

        var snapshotTakenNow = false
        if restoreBestWeights && bestWeights == nil {
            // Best weights were never set: the current weights are the best.
            try takeBestWeights()
            snapshotTakenNow = true
            bestEpoch = epoch
        }

        wait += 1
        if monitor.isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights && !snapshotTakenNow {
                try takeBestWeights()
            }
            // Only restart wait if the value beats both the baseline and the previous best.
            if baseline == nil || monitor.isImprovement(current, over: baseline) {
                wait = 0
            }
            reporter.report("best_epoch", Double(bestEpoch))
            return
        }
        reporter.report("best_epoch", Double(bestEpoch))

        if wait >= patience && epoch > 0 {
            // Patience has been exceeded: stop training.
            stoppedEpoch = epoch
            host.stopTraining()
            reporter.report("stopped_epoch", Double(epoch))
        }
    }

    public func onTrainEnd(logs: Logs) throws {
        if stoppedEpoch > 0 && verbose > 0 {
            host.log(.info, "Epoch \(stoppedEpoch + 1): early stopping")
        }
        if restoreBestWeights, let bestWeights {
            if verbose > 0 {
                host.log(.info, "Restoring model weights from the end of the best epoch: \(bestEpoch + 1).")
            }
            try host.restoreWeights(bestWeights)
        }
        reporter.report("best_epoch", Double(bestEpoch))
    }

    // MARK: - Best weights

    private func takeBestWeights() throws {
        guard let snapshot = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights for restore_best_weights")
        }
        releaseBestWeights()
        bestWeights = snapshot
        bestWeightsGeneration += 1
    }

    private func releaseBestWeights() {
        if let bestWeights { host.releaseSnapshot(bestWeights) }
        bestWeights = nil
    }

    /// Where saveState writes the best weights.
    private var bestWeightsFile: String {
        (runDirectory.hasSuffix("/") ? runDirectory : runDirectory + "/") + "EarlyStopping.best_weights.safetensors"
    }

    /// Writes the best snapshot to `bestWeightsFile` without changing the model: the current
    /// weights are snapshotted, the best put in, saved, and the current ones put back.
    private func writeBestWeights() throws -> String {
        guard let bestWeights, restoreBestWeights else { return "" }
        guard !runDirectory.isEmpty else {
            host.log(.warning, "the host gave no run directory: the best weights are not part of the saved state")
            return ""
        }
        let file = bestWeightsFile
        if writtenGeneration == bestWeightsGeneration { return file }
        guard let current = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights to save the best ones")
        }
        defer { host.releaseSnapshot(current) }
        try host.restoreWeights(bestWeights)
        do {
            try host.saveWeights(to: file)
        } catch {
            try host.restoreWeights(current)
            throw error
        }
        try host.restoreWeights(current)
        writtenGeneration = bestWeightsGeneration
        return file
    }

    /// Reads a saved state's best weights into a snapshot, leaving the model's weights as they were.
    private func loadBestWeights(from file: String) {
        guard let current = host.snapshotWeights() else {
            host.log(.warning, "the host could not snapshot the weights: the best weights in \(file) are not restored")
            return
        }
        defer { host.releaseSnapshot(current) }
        do {
            try host.loadWeights(from: file)
            guard let loaded = host.snapshotWeights() else { throw PluginError("the host could not snapshot them") }
            try host.restoreWeights(current)
            releaseBestWeights()
            bestWeights = loaded
            bestWeightsGeneration += 1
            writtenGeneration = bestWeightsGeneration
        } catch {
            try? host.restoreWeights(current)
            host.log(.warning, "the best weights of the saved state could not be loaded (\(error)); "
                     + "the next monitored epoch's weights count as the best")
        }
    }

    // MARK: - Saved state

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter()
        writer.write(Self.stateVersion)
        writer.write(monitor.name)
        writer.write(wait)
        writer.write(stoppedEpoch)
        writer.write(bestEpoch)
        writer.write(best != nil)
        writer.write(best ?? 0)
        writer.write(try writeBestWeights())
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        let version = try reader.readInt()
        guard version == Self.stateVersion else {
            throw PluginError("saved state has version \(version), this EarlyStopping reads version \(Self.stateVersion)")
        }
        let monitored = try reader.readString()
        guard monitored == monitor.name else {
            throw PluginError("saved state monitors '\(monitored)', this run monitors '\(monitor.name)'")
        }
        let wait = try reader.readInt()
        let stoppedEpoch = try reader.readInt()
        let bestEpoch = try reader.readInt()
        let hasBest = try reader.readBool()
        let best = try reader.readDouble()
        let file = try reader.readString()
        guard reader.isAtEnd else { throw PluginError("saved state has trailing bytes") }
        guard wait >= 0, stoppedEpoch >= 0, bestEpoch >= 0 else { throw PluginError("saved state is damaged") }
        (self.wait, self.stoppedEpoch, self.bestEpoch) = (wait, stoppedEpoch, bestEpoch)
        self.best = hasBest ? best : nil
        releaseBestWeights()
        bestWeightsFileToLoad = restoreBestWeights && !file.isEmpty ? file : nil
        resumed = true
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(EarlyStopping.self) }
