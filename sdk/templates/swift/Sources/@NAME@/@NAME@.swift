import TrainerPluginSDK

/// @NAME@: a callback plugin. The host creates one instance per run (`init`), then calls the
/// hooks of the protocols it conforms to, from one thread. Epochs and batches are 0-based.
/// A hook that throws fails the run, with the error's message naming the plugin and the hook.
public final class @NAME@: TrainerCallback, OnTrainBegin, OnTrainEnd, OnEpochBegin, OnEpochEnd,
    OnTestBegin, OnTestEnd, OnPredictBegin, OnPredictEnd
{
    public static let id = "@NAME@"
    public static let version = "0.1.0"
    public static let summary = "@NAME@: a callback plugin"
    /// `--set message=...`, or [plugins.@NAME@] in trainer.toml.
    public static let parameters: [ParameterSpec] = [
        .string("message", default: "hello", help: "printed when training begins"),
    ]

    private let host: Host
    private let message: String

    public init(parameters: Parameters, host: Host) throws {
        message = try parameters.string("message")
        self.host = host
    }

    /// Before the first epoch; logs are empty.
    public func onTrainBegin(logs: Logs) throws {
        host.log(.info, message)  // the host prefixes it with the plugin's id
    }

    /// After the last epoch, with its logs.
    public func onTrainEnd(logs: Logs) throws {}

    /// At the start of each epoch.
    public func onEpochBegin(epoch: Int, logs: Logs) throws {}

    /// After each epoch and its validation: loss, metrics, val_loss, val_<metric>, learning_rate.
    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if let loss = logs["loss"] {
            host.log(.info, "epoch \(epoch) loss \(loss)")
        }
    }

    /// Before validation and `trainer evaluate`.
    public func onTestBegin(logs: Logs) throws {}

    /// After validation and `trainer evaluate`: loss and metrics over the whole evaluation.
    public func onTestEnd(logs: Logs) throws {}

    /// Before and after `trainer predict`.
    public func onPredictBegin(logs: Logs) throws {}
    public func onPredictEnd(logs: Logs) throws {}

    // Batch hooks run for every batch: conform to those you need, e.g. `OnTrainBatchEnd` with
    //     public func onTrainBatchEnd(batch: Int, logs: Logs) throws   // the epoch's running means
    // and likewise OnTrainBatchBegin, OnTestBatchBegin/End, OnPredictBatchBegin/End.
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(@NAME@.self) }
