import TensorBoardProto
import TrainerPluginSDK

/// Keras's `TensorBoard` callback as a plugin: writes event files that TensorBoard reads,
/// laid out as Keras 3 (with TensorFlow 2's writer) lays them out:
///
///     <log_dir>/train/events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2
///     <log_dir>/validation/events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2
///
/// (`log_dir` is relative to the run directory unless absolute.) Each file starts with the
/// `file_version: "brain.Event:2"` event. What is written, by Keras's rules:
///
/// - every epoch (step = epoch, 0-based): `epoch_<name>` for the epoch's logs in train/,
///   with `epoch_learning_rate` read from the optimizer, and `epoch_<name>` in validation/
///   for each `val_<name>` log;
/// - with `update_freq` "batch" or N: `batch_<name>` for the batch logs in train/ every N
///   batches, step = the global batch count since training began (1-based, as Keras counts);
/// - after each validation (and `trainer evaluate`): `evaluation_<name>_vs_iterations` in
///   validation/, step = the number of training batches so far (Keras: optimizer.iterations);
/// - with `histogram_freq` N: every N epochs (epoch % N == 0), a histogram of every weight
///   tensor in train/, tagged with its layer-qualified name (`dense/kernel`), and with
///   `write_images` the weight drawn as images (`dense/kernel/image`, see `WeightImages`);
/// - with `write_steps_per_second`: `epoch_steps_per_second` (and `batch_steps_per_second`
///   with batch updates);
/// - with `write_graph`: a text summary `model_summary` of the weight tensors at step 0 (see
///   `ModelSummary`; no graph is written, as there is no TensorFlow graph).
///
/// Scalars use the `simple_value` field, which TensorBoard's scalars dashboard and its
/// `EventAccumulator.Scalars` both read. Files are flushed and synced after every epoch.
/// The global batch count is saved state, so a resumed run continues the batch steps (Keras
/// restarts them at 1).
public final class TensorBoard: TrainerCallback, OnTrainBegin, OnTrainEnd, OnEpochBegin,
    OnEpochEnd, OnTrainBatchBegin, OnTrainBatchEnd, OnTestEnd, StatefulCallback
{
    public static let id = "TensorBoard"
    public static let version = "1.0.0"
    public static let summary =
        "Writes TensorBoard event files (scalars, weight histograms) under log_dir in the run directory."
    public static let parameters: [ParameterSpec] = [
        .string("log_dir", default: "logs",
                help: "directory of the event files (train/, validation/); relative to the run directory"),
        .int("histogram_freq", default: 0,
             help: "every N epochs, a histogram of every weight tensor (0: none)", min: 0),
        .bool("write_graph", default: true,
              help: "write a text summary of the weight tensors (no op graph: trainer has none)"),
        .bool("write_images", default: false,
              help: "with each histogram, also draw the weight as images (values clipped to [0, 1], as Keras does)"),
        .bool("write_steps_per_second", default: false,
              help: "also write epoch_steps_per_second (and batch_steps_per_second with batch updates)"),
        .string("update_freq", default: "epoch",
                help: "\"epoch\", \"batch\", or N: write batch_<metric> every N batches (a string; \"100\" in TOML)"),
        .int("profile_batch", default: 0,
             help: "not supported: profiling needs TensorFlow's profiler; must be 0", min: 0),
        .int("embeddings_freq", default: 0,
             help: "not supported: trainer has no Embedding layer to project; must be 0", min: 0),
        .string("embeddings_metadata", default: nil,
                help: "ignored, as in Keras when embeddings_freq is 0"),
    ]

    private let host: Host
    /// Where train/ and validation/ go.
    let logDirectory: String
    private let histogramFrequency: Int
    private let writeGraph: Bool
    private let writeImages: Bool
    private let writeStepsPerSecond: Bool
    private let updateFrequency: UpdateFrequency

    private var trainWriter: EventFileWriter?
    private var validationWriter: EventFileWriter?

    /// Training batches since training began (Keras: `_global_train_batch`), 1-based once the
    /// first batch starts.
    private var globalBatch = 0
    /// Set by loadState: the batch count continues instead of restarting.
    private var resumed = false
    private var epochStartTime = 0.0
    private var epochStartBatch = 0
    private var batchStartTime = 0.0

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        let logDir = try parameters.string("log_dir")
        guard !logDir.trimmingWhitespace().isEmpty else {
            throw PluginError("log_dir must name a directory, got '\(logDir)'")
        }
        let run = try host.runParameters
        guard logDir.hasPrefix("/") || !run.runDirectory.isEmpty else {
            throw PluginError("the host gave no run directory for log_dir '\(logDir)'")
        }
        logDirectory = filePath(logDir, in: run.runDirectory)
        histogramFrequency = try parameters.int("histogram_freq")
        writeGraph = try parameters.bool("write_graph")
        writeStepsPerSecond = try parameters.bool("write_steps_per_second")
        updateFrequency = try UpdateFrequency(parsing: parameters.string("update_freq"))
        let profileBatch = try parameters.int("profile_batch")
        guard profileBatch == 0 else {
            throw PluginError("profile_batch is not supported (trainer has no TensorFlow profiler); "
                              + "got \(profileBatch), must be 0")
        }
        let embeddingsFrequency = try parameters.int("embeddings_freq")
        guard embeddingsFrequency == 0 else {
            throw PluginError("embeddings_freq is not supported (trainer has no Embedding layer); "
                              + "got \(embeddingsFrequency), must be 0")
        }
        writeImages = try parameters.bool("write_images")
    }

    deinit {
        try? trainWriter?.close()
        try? validationWriter?.close()
    }

    // MARK: - Hooks

    public func onTrainBegin(logs: Logs) throws {
        if !resumed { globalBatch = 0 }
        if writeGraph {
            // As Keras's model summary, best effort: a host that cannot show its weights gets
            // a warning, not a failed run.
            let weights: [TensorView]
            do {
                weights = try host.weights()
            } catch {
                host.log(.warning, "write_graph: no weight table written: \(error)")
                weights = []
            }
            if !weights.isEmpty {
                let writer = try train()
                try writer.append(summary: Tensorflow_Summary([
                    Summaries.text(ModelSummary.tag, ModelSummary.markdown(weights)),
                ]), step: 0)
                try writer.flush()
            }
        }
    }

    public func onEpochBegin(epoch: Int, logs: Logs) throws {
        epochStartTime = monotonicSeconds()
        epochStartBatch = globalBatch
    }

    public func onTrainBatchBegin(batch: Int, logs: Logs) throws {
        globalBatch += 1
        if writeStepsPerSecond { batchStartTime = monotonicSeconds() }
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        guard updateFrequency.writesBatch(globalBatch) else { return }
        var values: [Tensorflow_Summary.Value] = []
        values.reserveCapacity(logs.count + 1)
        if writeStepsPerSecond {
            let elapsed = monotonicSeconds() - batchStartTime
            values.append(Summaries.scalar("batch_steps_per_second", elapsed > 0 ? 1 / elapsed : 0))
        }
        for (name, value) in logs {
            values.append(Summaries.scalar("batch_" + name, value))
        }
        guard !values.isEmpty else { return }
        try train().append(summary: Tensorflow_Summary(values), step: globalBatch)
    }

    public func onTestEnd(logs: Logs) throws {
        guard !logs.isEmpty else { return }
        let values = logs.map { Summaries.scalar("evaluation_\($0.name)_vs_iterations", $0.value) }
        let writer = try validation()
        try writer.append(summary: Tensorflow_Summary(values), step: globalBatch)
        try writer.flush()
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if !logs.isEmpty { try writeEpochMetrics(epoch: epoch, logs: logs) }
        if histogramFrequency > 0 && epoch % histogramFrequency == 0 {
            try writeHistograms(epoch: epoch)
        }
        try trainWriter?.flush()
        try validationWriter?.flush()
    }

    public func onTrainEnd(logs: Logs) throws {
        // Keras closes its writers here; a later hook (an evaluation) opens new files.
        defer { (trainWriter, validationWriter) = (nil, nil) }
        try trainWriter?.close()
        try validationWriter?.close()
    }

    // MARK: - Saved state: the global batch count

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(globalBatch)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let batches = try reader.readInt()
        guard batches >= 0, reader.isAtEnd else { throw PluginError("saved state is damaged") }
        globalBatch = batches
        resumed = true
    }

    // MARK: - Writing

    /// Keras's `_log_epoch_metrics`: train logs (with the optimizer's learning rate) in
    /// train/, `val_` logs without the prefix in validation/, step = epoch.
    private func writeEpochMetrics(epoch: Int, logs: Logs) throws {
        let optimizerRate = host.learningRate
        var trainValues: [Tensorflow_Summary.Value] = []
        var validationValues: [Tensorflow_Summary.Value] = []
        var sawLearningRate = false
        for (name, value) in logs {
            if name.hasPrefix("val_") {
                validationValues.append(Summaries.scalar("epoch_" + name.dropFirst(4), value))
            } else if name == "learning_rate" {
                sawLearningRate = true
                trainValues.append(Summaries.scalar("epoch_learning_rate",
                                                    optimizerRate.isNaN ? value : optimizerRate))
            } else {
                trainValues.append(Summaries.scalar("epoch_" + name, value))
            }
        }
        if !sawLearningRate && !optimizerRate.isNaN {
            trainValues.append(Summaries.scalar("epoch_learning_rate", optimizerRate))
        }
        if writeStepsPerSecond {
            let elapsed = monotonicSeconds() - epochStartTime
            let steps = Double(globalBatch - epochStartBatch)
            trainValues.append(Summaries.scalar("epoch_steps_per_second", elapsed > 0 ? steps / elapsed : 0))
        }
        if !trainValues.isEmpty {
            try train().append(summary: Tensorflow_Summary(trainValues), step: epoch)
        }
        if !validationValues.isEmpty {
            try validation().append(summary: Tensorflow_Summary(validationValues), step: epoch)
        }
    }

    /// Keras's `_log_weights`: one histogram per weight tensor, in layer order, in train/,
    /// each followed by its images with `write_images`.
    private func writeHistograms(epoch: Int) throws {
        let weights = try host.weights()
        guard !weights.isEmpty else { return }
        var values: [Tensorflow_Summary.Value] = []
        for weight in weights {
            values.append(Summaries.histogram(weight.name, Histogram(weight.data)))
            if writeImages, let images = WeightImages.summary(weight) { values.append(images) }
        }
        try train().append(summary: Tensorflow_Summary(values), step: epoch)
    }

    private func train() throws -> EventFileWriter {
        if let trainWriter { return trainWriter }
        let writer = try EventFileWriter(directory: logDirectory + "/train")
        trainWriter = writer
        return writer
    }

    private func validation() throws -> EventFileWriter {
        if let validationWriter { return validationWriter }
        let writer = try EventFileWriter(directory: logDirectory + "/validation")
        validationWriter = writer
        return writer
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(TensorBoard.self) }
