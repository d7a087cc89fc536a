import TrainerPluginSDK

/// Stops training once the loss (or another log) falls to a threshold.
public final class StopAtLoss: TrainerCallback, OnEpochEnd {
    public static let id = "StopAtLoss"
    public static let version = "1.0.0"
    public static let summary = "Stops training once a loss falls to a threshold."
    public static let parameters: [ParameterSpec] = [
        .string("monitor", default: "loss", help: "the log to watch"),
        .double("threshold", default: 0.3, help: "stop when the monitored value is at most this", min: 0),
    ]

    private let monitor: String
    private let threshold: Double
    private let host: Host

    public init(parameters: Parameters, host: Host) throws {
        monitor = try parameters.string("monitor")
        threshold = try parameters.double("threshold")
        self.host = host
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        guard let value = logs[monitor] else {
            throw PluginError("the logs have no \(monitor)")
        }
        if value <= threshold {
            host.log(.info, "Epoch \(epoch + 1): \(monitor) \(value) <= \(threshold), stopping")
            host.stopTraining()
        }
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(StopAtLoss.self) }
