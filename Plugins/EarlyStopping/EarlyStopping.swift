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
/// PyTorch Lightning's options (`lightning/pytorch/callbacks/early_stopping.py`), all off by
/// default so that the plugin decides exactly as Keras's callback does. When set, they are
/// checked in Lightning's order after the monitored value is read (and past `start_from_epoch`),
/// before the patience rule; the first that holds stops training at once (at any epoch, 0
/// included) and logs why at info level:
///
/// - `check_finite`: the value is NaN or infinite ("val_loss = nan is not finite");
/// - `stopping_threshold`: the value is better than the threshold in the monitor's direction
///   ("val_loss = 0.1 < stopping_threshold 0.2");
/// - `divergence_threshold`: the value is worse than the threshold
///   ("val_loss = 3.5 > divergence_threshold 3.0");
/// - `strict`: an epoch whose logs lack the monitored value fails the run with an error naming
///   the key and the keys there are, instead of Keras's warning.
///
/// Thresholds are compared in float32 with the monitor's strict comparison, as Lightning's
/// `monitor_op` is `torch.lt`/`torch.gt`; a stop by one of them reports `stopped_epoch` as
/// the patience rule does.
///
/// The saved state (version 1) holds the counters, the best value and, with
/// `restore_best_weights`, the best epoch's weights themselves (a host snapshot lives in memory
/// only), so a resumed run still restores them at its end.
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
        .bool("check_finite", default: false,
              help: "stop as soon as the monitored quantity is NaN or infinite (Lightning)"),
        .double("stopping_threshold", default: nil,
                help: "stop as soon as the monitored quantity is better than this value (Lightning; none: off)"),
        .double("divergence_threshold", default: nil,
                help: "stop as soon as the monitored quantity is worse than this value (Lightning; none: off)"),
        .bool("strict", default: false,
              help: "fail the run when the monitored quantity is missing from an epoch's logs, instead of warning (Lightning)"),
    ]

    private let host: Host
    private let monitor: Monitor
    private let patience: Int
    private let verbose: Int
    private let baseline: Double?
    private let restoreBestWeights: Bool
    private let startFromEpoch: Int
    private let checkFinite: Bool
    private let stoppingThreshold: Double?
    private let divergenceThreshold: Double?
    private let strict: Bool
    private let runDirectory: String

    // Keras's attributes.
    private var wait = 0
    private var stoppedEpoch = 0
    private var best: Double?
    private var bestEpoch = 0
    private var bestWeights: WeightSnapshot?

    /// Set by a loaded state, so on_train_begin continues it instead of starting afresh.
    private var resumed = false
    /// A loaded state's best weights, made a host snapshot at on_train_begin.
    private var bestWeightsToLoad: SavedWeights?
    /// `bestWeights` as last captured for a saved state (nil until then, and after it changes).
    private var savedBestWeights: SavedWeights?
    private var warnings = WarningsOnce()

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        monitor = try Monitor(callback: Self.id, monitor: try parameters.string("monitor"),
                              mode: try parameters.string("mode"),
                              minDelta: try parameters.double("min_delta"))
        patience = try parameters.int("patience")
        verbose = try parameters.int("verbose")
        baseline = try parameters.optionalDouble("baseline")
        restoreBestWeights = try parameters.bool("restore_best_weights")
        startFromEpoch = try parameters.int("start_from_epoch")
        checkFinite = try parameters.bool("check_finite")
        stoppingThreshold = try parameters.optionalDouble("stopping_threshold")
        divergenceThreshold = try parameters.optionalDouble("divergence_threshold")
        strict = try parameters.bool("strict")
        for (key, value) in [("stopping_threshold", stoppingThreshold), ("divergence_threshold", divergenceThreshold)] {
            if let value, !value.isFinite {
                throw PluginError("EarlyStopping \(key) must be a finite number, not \(value)")
            }
        }
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
        if let weights = bestWeightsToLoad {
            bestWeightsToLoad = nil
            loadBestWeights(weights)
        }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        guard let current = logs[monitor.name] else {
            let available = logs.names.joined(separator: ",")
            if strict {
                throw PluginError("EarlyStopping (strict) could not find the monitored key `\(monitor.name)` "
                                  + "in the logs of epoch \(epoch + 1); available keys are: \(available)")
            }
            warnings.warn("Early stopping conditioned on metric `\(monitor.name)` which is not available. "
                          + "Available metrics are: \(available)", through: host)
            return
        }
        guard epoch >= startFromEpoch else { return }

        if let reason = thresholdStopReason(current) {
            host.log(.info, reason)
            stoppedEpoch = epoch
            host.stopTraining(because: reason)
            host.report("stopped_epoch", Double(epoch))
            return
        }

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
            host.report("best_epoch", Double(bestEpoch))
            return
        }
        host.report("best_epoch", Double(bestEpoch))

        if wait >= patience && epoch > 0 {
            // Patience has been exceeded: stop training.
            stoppedEpoch = epoch
            host.stopTraining(because: "\(monitor.name) did not improve for \(wait) epoch\(wait == 1 ? "" : "s") "
                              + (best.map { "(best \($0) at epoch \(bestEpoch + 1))" } ?? "(none better than the baseline)"))
            host.report("stopped_epoch", Double(epoch))
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
        host.report("best_epoch", Double(bestEpoch))
    }

    // MARK: - Lightning's thresholds

    /// Why `current` stops training at once, checked in Lightning's order (finite, stopping
    /// threshold, divergence threshold), or nil.
    private func thresholdStopReason(_ current: Double) -> String? {
        let better = monitor.direction == .minimize ? "<" : ">"
        let worse = monitor.direction == .minimize ? ">" : "<"
        if checkFinite && !current.isFinite {
            return "\(monitor.name) = \(current) is not finite; stopping (check_finite)"
        }
        if let threshold = stoppingThreshold, isBeyond(current, threshold, better: true) {
            return "\(monitor.name) = \(current) \(better) stopping_threshold \(threshold); stopping"
        }
        if let threshold = divergenceThreshold, isBeyond(current, threshold, better: false) {
            return "\(monitor.name) = \(current) \(worse) divergence_threshold \(threshold); stopping"
        }
        return nil
    }

    /// Whether `value` is strictly better (or, `better` false, strictly worse) than `threshold`
    /// in the monitor's direction, compared in float32. NaN is neither.
    private func isBeyond(_ value: Double, _ threshold: Double, better: Bool) -> Bool {
        let (v, t) = (Float(value), Float(threshold))
        let lower = monitor.direction == .minimize ? better : !better
        return lower ? v < t : v > t
    }

    // MARK: - Best weights

    private func takeBestWeights() throws {
        guard let snapshot = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights for restore_best_weights")
        }
        releaseBestWeights()
        bestWeights = snapshot
        savedBestWeights = nil
    }

    private func releaseBestWeights() {
        if let bestWeights { host.releaseSnapshot(bestWeights) }
        bestWeights = nil
        savedBestWeights = nil
    }

    // MARK: - Saved state

    // Version 1: Int version, Int header size, the header (monitor, wait, stopped_epoch,
    // best_epoch, best, and with restore_best_weights the best weights' names and shapes),
    // then the best weights' values as little-endian float32.
    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var header = StateWriter()
        var raw: [UInt8] = []
        header.write(monitor.name)
        header.write(wait)
        header.write(stoppedEpoch)
        header.write(bestEpoch)
        header.write(best != nil)
        header.write(best ?? 0)
        if restoreBestWeights, let pending = bestWeightsToLoad {
            // Loaded and not yet turned into a host snapshot (that happens at on_train_begin):
            // saved again as loaded.
            header.write(true)
            pending.write(to: &header, raw: &raw)
        } else if restoreBestWeights, let bestWeights {
            if savedBestWeights == nil {
                savedBestWeights = try SavedWeights.capture(bestWeights, host: host)
            }
            header.write(true)
            savedBestWeights!.write(to: &header, raw: &raw)
        } else {
            header.write(false)
        }
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(header.bytes.count)
        return writer.bytes + header.bytes + raw
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var outer = StateReader(Array(bytes.prefix(16)))
        let version = try outer.readInt()
        guard version == Self.stateVersion else {
            throw PluginError("saved state has version \(version), this EarlyStopping reads version \(Self.stateVersion)")
        }
        let headerSize = try outer.readInt()
        guard headerSize >= 0, headerSize <= bytes.count - 16 else {
            throw PluginError("saved state is truncated or damaged")
        }
        var reader = StateReader(Array(bytes[16..<16 + headerSize]))
        let monitored = try reader.readString()
        guard monitored == monitor.name else {
            throw PluginError("saved state monitors '\(monitored)', this run monitors '\(monitor.name)'")
        }
        let wait = try reader.readInt()
        let stoppedEpoch = try reader.readInt()
        let bestEpoch = try reader.readInt()
        let hasBest = try reader.readBool()
        let best = try reader.readDouble()
        let hasWeights = try reader.readBool()
        let raw = bytes[(16 + headerSize)...]
        let weights = hasWeights ? try SavedWeights.read(from: &reader, raw: raw) : nil
        guard reader.isAtEnd, hasWeights || raw.isEmpty else { throw PluginError("saved state has trailing bytes") }
        guard wait >= 0, stoppedEpoch >= 0, bestEpoch >= 0 else { throw PluginError("saved state is damaged") }

        (self.wait, self.stoppedEpoch, self.bestEpoch) = (wait, stoppedEpoch, bestEpoch)
        self.best = hasBest ? best : nil
        releaseBestWeights()
        bestWeightsToLoad = restoreBestWeights ? weights : nil
        resumed = true
    }

    /// Turns a loaded state's best weights into a host snapshot (at on_train_begin, once the
    /// host has the model ready), leaving the model's weights as they are.
    private func loadBestWeights(_ weights: SavedWeights) {
        do {
            let snapshot = try weights.snapshot(host: host, directory: runDirectory)
            releaseBestWeights()
            bestWeights = snapshot
            savedBestWeights = weights
        } catch {
            host.log(.warning, "the best weights of the saved state could not be restored (\(error)); "
                     + "the next monitored epoch's weights count as the best")
        }
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(EarlyStopping.self) }
