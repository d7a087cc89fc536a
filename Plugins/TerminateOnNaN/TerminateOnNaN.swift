import TrainerPluginSDK

/// Keras's `TerminateOnNaN` callback as a plugin (keras/src/callbacks/terminate_on_nan.py,
/// Keras 3.15): at the end of every training batch, a `loss` that is NaN or infinite stops
/// training. By default it stops gracefully (Keras's `model.stop_training = True`: the epoch
/// ends and every plugin's on_train_end runs), printing `Batch N: Invalid loss, terminating
/// training`. With `raise_error` the hook fails instead, which ends the run at once with an
/// error, as Keras's RuntimeError does. A batch without a `loss` is ignored.
public final class TerminateOnNaN: TrainerCallback, OnTrainBatchEnd {
    public static let id = "TerminateOnNaN"
    public static let name = "Terminate on NaN"
    public static let version = "1.0.0"
    public static let summary = "Stops training when a batch's loss is NaN or infinite (Keras TerminateOnNaN)."
    public static let parameters: [ParameterSpec] = [
        .bool("raise_error", default: false,
              help: "fail the run at once instead of stopping training gracefully"),
    ]

    private let host: Host
    private let raiseError: Bool

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        raiseError = try parameters.bool("raise_error")
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        guard let loss = logs["loss"], !loss.isFinite else { return }
        if raiseError {
            throw PluginError("NaN or Inf loss encountered at batch \(batch). Loss value: \(loss). "
                              + "Terminating training immediately.")
        }
        host.log(.info, "Batch \(batch): Invalid loss, terminating training")
        host.stopTraining(because: "the loss is \(loss) (not finite)")
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(TerminateOnNaN.self) }
