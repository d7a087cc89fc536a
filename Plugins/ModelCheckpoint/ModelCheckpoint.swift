import TrainerExpression
import TrainerPluginSDK

/// Keras's `ModelCheckpoint` callback as a plugin (keras/src/callbacks/model_checkpoint.py,
/// Keras 3.15), plus Lightning's `save_top_k` and `save_last`:
///
///     trainer train --plugin ModelCheckpoint \
///         --set "filepath=ckpt-{epoch:02d}-{val_loss:.3f}.safetensors" --set save_best_only=true
///
/// **When it saves.** At the end of every epoch (`save_freq="epoch"`), or after every N
/// training batches (`save_freq="N"`, counted across epochs as Keras counts them). At each such
/// point the file name is `filepath` filled as Python's `str.format` with `epoch` (1-based, as
/// Keras), `batch` (1-based, batch saves only) and the logs (`{val_loss:.2f}`, `{epoch:02d}`,
/// `{loss:e}`, any Python format spec); a name the logs lack fails the run, as Keras's KeyError
/// does. Then, as Keras decides:
///
/// - without `save_best_only`, it saves;
/// - with `save_best_only`, it saves when `monitor` improves on the best so far (the first
///   value always does, unless `initial_value_threshold` is given: then it must beat that),
///   compared in float32 as Keras compares; an epoch whose logs lack `monitor` is saved anyway,
///   with Keras's warning ("Can save best model only with val_loss available.").
///
/// `mode` says which way improves: `min`, `max`, or `auto` (`loss`/`val_loss` down, otherwise
/// the direction of Keras's metric of that name: accuracies up, errors down; an unknown name is
/// refused when the plugin is created, as Keras refuses it).
///
/// **Beyond Keras** (from Lightning): `save_top_k` = k > 0 keeps only the k best files by
/// `monitor` among those this run saved: a new file is written only if it ranks among the k
/// best (strictly better than the worst kept, or fewer than k kept), and the file that falls
/// out is deleted (NaN ranks last; a point whose logs lack `monitor` saves nothing, with a
/// warning; a name already kept, as from a template without `{epoch}`, is overwritten only
/// by a better value). `save_top_k` = 0 saves none, -1 (the default) keeps all, exactly as Keras.
/// `save_last` also writes `last.safetensors`, beside the checkpoints, at every save point, so
/// the latest weights are always there whatever was decided.
///
/// **Files.** Weights are saved through the host, which writes safetensors atomically; a
/// relative `filepath` is inside the run directory, and missing directories are made (Keras
/// makes them too). The model's structure lives in the run's TOML, so `save_weights_only` is
/// accepted for Keras compatibility and both values save the same file. Keras's file-name
/// suffix rules (`.weights.h5`, `.keras`) do not apply.
///
/// **Messages** (verbose 1) are Keras's: `Epoch 3: val_loss improved from 0.61234 to 0.59876,
/// saving model to ckpt-03-0.599.safetensors`, `Epoch 4: val_loss did not improve from
/// 0.59876`, `Epoch 5: saving model to ...`, `Epoch 5: finished saving model to ...`.
///
/// **Decisions reported** through "trainer.report/1": `best_epoch`, the 0-based epoch of the
/// best monitored value seen at a save point. **Saved state**: the best value and epoch, the
/// batch counters and the kept files with their values, so a resumed run continues them.
public final class ModelCheckpoint: TrainerCallback, OnTrainBegin, OnEpochBegin, OnTrainBatchEnd, OnEpochEnd,
    StatefulCallback
{
    public static let id = "ModelCheckpoint"
    public static let name = "Model checkpoint"
    public static let version = "1.0.0"
    public static let summary = "Saves the weights at the end of epochs or every N batches, optionally only the best (Keras ModelCheckpoint)."
    public static let parameters: [ParameterSpec] = [
        .required(.string("filepath", default: nil,
                help: "file name template, Python format syntax with epoch (1-based), batch and log names, "
                    + "e.g. model.{epoch:02d}-{val_loss:.2f}.safetensors; relative to the run directory")),
        .string("monitor", default: "val_loss", help: "the log compared by save_best_only and save_top_k"),
        .int("verbose", default: 0, help: "0 quiet, 1 print a message when saving or not", min: 0),
        .bool("save_best_only", default: false, help: "save only when the monitored value improves on the best so far"),
        .bool("save_weights_only", default: false,
              help: "accepted for Keras compatibility: the weights are saved either way (the model is in the run's TOML)"),
        .string("mode", default: "auto", help: "min or max: which way the monitored value improves; auto: from its name",
                choices: ["auto", "min", "max"]),
        .string("save_freq", default: "epoch",
                help: "\"epoch\": save at each epoch's end; a positive integer N (as a string): every N training batches"),
        .double("initial_value_threshold", default: nil,
                help: "with save_best_only, the value the first save must beat (none: the first value is saved)"),
        .int("save_top_k", default: -1,
             help: "keep only the k best files by monitor and delete the others; 0 saves none; -1 keeps all", min: -1),
        .bool("save_last", default: false, help: "also write last.safetensors beside the checkpoints at every save point"),
    ]

    enum Frequency: Equatable {
        case epoch
        case batches(Int)
    }

    /// A file this run saved and keeps, with the monitored value that ranks it.
    struct KeptFile: Equatable {
        var value: Double
        var path: String
        var epoch: Int
    }

    private let host: Host
    private let template: FormatTemplate
    private let monitor: String
    private let verbose: Int
    private let saveBestOnly: Bool
    private let frequency: Frequency
    private let monitorRule: Monitor
    private let topK: Int
    private let saveLast: Bool
    private let runDirectory: String

    // Keras's attributes.
    private var best: Double?
    private var batchesSeenSinceLastSaving = 0
    private var lastBatchSeen: Int?
    private var currentEpoch = 0

    private var bestEpoch: Int?
    private var kept: [KeptFile] = []
    private var warned: Set<String> = []

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        guard let filepath = try parameters.optionalString("filepath"), !filepath.isEmpty else {
            throw PluginError("filepath: required: a file name template, e.g. \"model.{epoch:02d}-{val_loss:.2f}.safetensors\"")
        }
        do {
            template = try FormatTemplate(filepath)
        } catch let error as FormatError {
            throw PluginError("filepath: \(error)")
        }
        guard !filepath.hasSuffix("/") else { throw PluginError("filepath must name a file, got '\(filepath)'") }
        monitor = try parameters.string("monitor")
        verbose = try parameters.int("verbose")
        saveBestOnly = try parameters.bool("save_best_only")
        _ = try parameters.bool("save_weights_only")
        let frequencyText = try parameters.string("save_freq")
        if frequencyText == "epoch" {
            frequency = .epoch
        } else if let n = Int(frequencyText), n > 0 {
            frequency = .batches(n)
        } else {
            throw PluginError("save_freq must be \"epoch\" or a positive number of batches, got '\(frequencyText)'")
        }
        best = try parameters.optionalDouble("initial_value_threshold")
        topK = try parameters.int("save_top_k")
        saveLast = try parameters.bool("save_last")
        do {
            monitorRule = try Monitor(callback: Self.id, monitor: monitor, mode: try parameters.string("mode"))
        } catch let error as PluginError {
            throw PluginError("mode: \(error)")
        }
        do {
            try template.check { $0 == "epoch" || $0 == "batch" ? .int(1) : .float(0) }
        } catch let error as FormatError {
            throw PluginError("filepath: \(error)")
        }
        if frequency == .epoch && template.fieldNames.contains("batch") {
            throw PluginError("filepath: {batch} has a value only when save_freq is a number of batches")
        }
        runDirectory = try host.runParameters.runDirectory
        guard filepath.hasPrefix("/") || !runDirectory.isEmpty else {
            throw PluginError("the host gave no run directory for '\(filepath)'")
        }
    }

    public func onTrainBegin(logs: Logs) throws {
        if let bestEpoch { host.report("best_epoch", Double(bestEpoch)) }
    }

    public func onEpochBegin(epoch: Int, logs: Logs) throws {
        currentEpoch = epoch
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        guard case .batches(let every) = frequency else { return }
        // Keras's _should_save_on_batch: a batch index not above the last one starts an epoch.
        if let last = lastBatchSeen, batch > last {
            batchesSeenSinceLastSaving += batch - last
        } else {
            batchesSeenSinceLastSaving += batch + 1
        }
        lastBatchSeen = batch
        guard batchesSeenSinceLastSaving >= every else { return }
        batchesSeenSinceLastSaving = 0
        try save(epoch: currentEpoch, batch: batch, logs: logs)
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if frequency == .epoch { try save(epoch: epoch, batch: nil, logs: logs) }
    }

    // MARK: - Deciding and saving

    /// Keras's `_save_model`, then `save_top_k` and `save_last`.
    private func save(epoch: Int, batch: Int?, logs: Logs) throws {
        let name = try fileName(epoch: epoch, batch: batch, logs: logs)
        let path = filePath(name, in: runDirectory)
        let current = logs[monitor]
        let (kerasSaves, message) = try kerasDecision(epoch: epoch, current: current, name: name)
        let ranks = kerasSaves && ranksAmongBest(path: path, current: current)
        if verbose > 0 {
            if kerasSaves && !ranks {
                if topK == 0 {
                    host.log(.info, "Epoch \(epoch + 1): save_top_k is 0, not saving \(name)")
                } else if let current {
                    let value = try PythonFormatSpec(".5f").format(.float(current))
                    host.log(.info, "Epoch \(epoch + 1): \(monitor) \(value) is not among the best \(topK), not saving \(name)")
                }
            } else if let message {
                host.log(.info, message)
            }
        }
        if ranks {
            try makeParentDirectories(of: path)
            try host.saveWeights(to: path)
            if verbose > 0 { host.log(.info, "Epoch \(epoch + 1): finished saving model to \(name)") }
            try keep(path: path, epoch: epoch, current: current)
        }
        if saveLast {
            let directory = directoryName(name)
            let lastName = directory.isEmpty ? "last.safetensors" : (directory == "/" ? "/" : directory + "/") + "last.safetensors"
            let lastPath = filePath(lastName, in: runDirectory)
            try makeParentDirectories(of: lastPath)
            try host.saveWeights(to: lastPath)
        }
    }

    /// Keras's `_get_file_path`: `filepath.format(epoch=epoch + 1, [batch=batch + 1,] **logs)`.
    private func fileName(epoch: Int, batch: Int?, logs: Logs) throws -> String {
        do {
            return try template.format { field in
                if field == "epoch" { return .int(epoch + 1) }
                if field == "batch", let batch { return .int(batch + 1) }
                return logs[field].map { .float($0) }
            }
        } catch let missing as FormatTemplate.MissingField {
            let available = logs.names.joined(separator: ", ")
            throw PluginError("Failed to format this callback filepath: \"\(template.text)\". Reason: no '\(missing.name)' "
                              + "in the logs of epoch \(epoch + 1)\(batch.map { ", batch \($0 + 1)" } ?? "") "
                              + "(they have: \(available.isEmpty ? "nothing" : available))")
        } catch let error as FormatError {
            throw PluginError("Failed to format this callback filepath: \"\(template.text)\". Reason: \(error)")
        }
    }

    /// Keras's `_should_save_model`: whether to save, and the message Keras prints with
    /// verbose 1. It also updates the best value, as Keras does.
    private func kerasDecision(epoch: Int, current: Double?, name: String) throws -> (Bool, String?) {
        guard saveBestOnly else {
            if let current { track(current, epoch: epoch) }
            return (true, "Epoch \(epoch + 1): saving model to \(name)")
        }
        guard let current else {
            warnOnce("Can save best model only with \(monitor) available.")
            return (true, nil)
        }
        let bestText = try best.map { try PythonFormatSpec(".5f").format(.float($0)) } ?? "None"
        if track(current, epoch: epoch) {
            let currentText = try PythonFormatSpec(".5f").format(.float(current))
            return (true, "Epoch \(epoch + 1): \(monitor) improved from \(bestText) to \(currentText), saving model to \(name)")
        }
        return (false, "Epoch \(epoch + 1): \(monitor) did not improve from \(bestText)")
    }

    /// Keras's `_is_improvement` against the best so far; an improvement becomes the best.
    @discardableResult
    private func track(_ current: Double, epoch: Int) -> Bool {
        guard best.map({ monitorRule.isImprovement(current, over: $0) }) ?? true else { return false }
        best = current
        bestEpoch = epoch
        host.report("best_epoch", Double(epoch))
        return true
    }

    /// `save_top_k`: whether a file with this monitored value belongs among the k best kept:
    /// fewer than k are kept, or it is strictly better than the worst of them.
    private func ranksAmongBest(path: String, current: Double?) -> Bool {
        if topK < 0 { return true }
        if topK == 0 { return false }
        guard let current else {
            warnOnce("save_top_k needs \(monitor) in the logs to rank a checkpoint; nothing is saved without it.")
            return false
        }
        // A file name already kept (a template without {epoch}) is overwritten only by a better
        // value: the set stays the same size, and a better kept file is never lost.
        if let same = kept.first(where: { $0.path == path }) {
            return isWorse(rank(same.value), than: rank(current))
        }
        guard kept.count >= topK, let worst = worst(kept) else { return true }
        return isWorse(rank(worst.value), than: rank(current))
    }

    /// Records a saved file and, with `save_top_k`, deletes what no longer ranks among the k best.
    private func keep(path: String, epoch: Int, current: Double?) throws {
        guard topK > 0, let current else { return }
        kept.removeAll { $0.path == path }
        kept.append(KeptFile(value: current, path: path, epoch: epoch))
        while kept.count > topK, let dropped = worst(kept) {
            kept.removeAll { $0 == dropped }
            try removeFile(dropped.path)
            if verbose > 0 {
                host.log(.info, "Epoch \(epoch + 1): deleted \(relativeName(dropped.path)), no longer among the best \(topK)")
            }
        }
    }

    /// NaN ranks below every number.
    private func rank(_ value: Double) -> Double {
        value.isNaN ? (monitorRule.direction == .minimize ? .infinity : -.infinity) : value
    }

    /// Whether `a` ranks strictly below `b` (in float32, as the decisions compare).
    private func isWorse(_ a: Double, than b: Double) -> Bool {
        monitorRule.isImprovement(b, over: a)
    }

    /// The lowest-ranked kept file; among equals, the oldest.
    private func worst(_ files: [KeptFile]) -> KeptFile? {
        var result: KeptFile?
        for file in files {
            if let current = result, !isWorse(rank(file.value), than: rank(current.value)) { continue }
            result = file
        }
        return result
    }

    private func relativeName(_ path: String) -> String {
        let prefix = runDirectory.hasSuffix("/") ? runDirectory : runDirectory + "/"
        return !runDirectory.isEmpty && path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Python's warnings module shows a warning once per place; so does this, per message.
    private func warnOnce(_ message: String) {
        if warned.insert(message).inserted { host.log(.warning, message) }
    }

    // MARK: - Saved state

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(best != nil)
        writer.write(best ?? 0)
        writer.write(bestEpoch ?? -1)
        writer.write(batchesSeenSinceLastSaving)
        writer.write(lastBatchSeen ?? -1)
        writer.write(currentEpoch)
        writer.write(kept.count)
        for file in kept {
            writer.write(file.value)
            writer.write(file.path)
            writer.write(file.epoch)
        }
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let hasBest = try reader.readBool()
        let bestValue = try reader.readDouble()
        let bestEpoch = try reader.readInt()
        let batchesSeen = try reader.readInt()
        let lastBatch = try reader.readInt()
        let currentEpoch = try reader.readInt()
        let count = try reader.readInt()
        guard count >= 0, count <= bytes.count / 24, bestEpoch >= -1, lastBatch >= -1, batchesSeen >= 0 else {
            throw PluginError("saved state is damaged")
        }
        var kept: [KeptFile] = []
        for _ in 0..<count {
            let value = try reader.readDouble()
            let path = try reader.readString()
            let epoch = try reader.readInt()
            kept.append(KeptFile(value: value, path: path, epoch: epoch))
        }
        try reader.finish()
        best = hasBest ? bestValue : nil
        self.bestEpoch = bestEpoch >= 0 ? bestEpoch : nil
        batchesSeenSinceLastSaving = batchesSeen
        lastBatchSeen = lastBatch >= 0 ? lastBatch : nil
        self.currentEpoch = currentEpoch
        self.kept = kept
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(ModelCheckpoint.self) }
