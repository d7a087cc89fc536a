import TrainerPluginSDK
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PyTorch Lightning's `Timer` callback as a plugin: stops training once a wall-clock budget is
/// spent.
///
/// The clock (monotonic) runs from on_train_begin to on_train_end. With `interval` "step" the
/// budget is checked after every training batch, with "epoch" at every epoch's end, and, as
/// Lightning does when fitting starts, once at on_train_begin whatever the interval (a resumed
/// run whose budget is already spent stops at once). When `elapsed >= duration` it asks the
/// host to stop and, with `verbose`, prints Lightning's
/// `Time limit reached. Elapsed time is H:MM:SS. Signaling Trainer to stop.`
/// Without a `duration` it only measures. The elapsed time is reported as `elapsed_seconds`
/// through "trainer.report/1" at train end (and when it stops training).
///
/// The saved state (version 1) holds the elapsed training time; a run that loads it continues
/// the budget from there, as Lightning's `load_state_dict` does.
public final class Timer: TrainerCallback, OnTrainBegin, OnTrainBatchEnd, OnEpochEnd, OnTrainEnd, StatefulCallback {
    public static let id = "Timer"
    public static let version = "1.0.0"
    public static let summary = "Stops training once a wall-clock time budget is spent (Lightning Timer)."
    public static let parameters: [ParameterSpec] = [
        .string("duration", default: nil,
                help: "time budget for training, DD:HH:MM:SS or HH:MM:SS (none: measure only)"),
        .string("interval", default: "step",
                help: "check the budget after every training batch (step) or at every epoch's end (epoch)",
                choices: ["step", "epoch"]),
        .bool("verbose", default: true, help: "print a message when the time limit is reached"),
    ]

    private let host: Host
    /// The budget in seconds, nil when only measuring.
    private let duration: Double?
    private let checksEveryStep: Bool
    private let verbose: Bool

    /// Elapsed training time carried over from a saved state (Lightning's `_offset`).
    private var offset = 0.0
    private var startTime: Double?
    private var endTime: Double?
    private var announced = false

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        if let text = try parameters.optionalString("duration") {
            guard let seconds = Duration.seconds(parsing: text) else {
                throw PluginError("`Timer(duration=\(pythonQuoted(text)))` is not a valid duration. "
                                  + "Expected a string in the format DD:HH:MM:SS (or HH:MM:SS).")
            }
            duration = seconds
        } else {
            duration = nil
        }
        let interval = try parameters.string("interval")
        guard interval == "step" || interval == "epoch" else {
            throw PluginError("Unsupported parameter value `Timer(interval=\(interval))`. Possible choices are: step, epoch")
        }
        checksEveryStep = interval == "step"
        verbose = try parameters.bool("verbose")
    }

    /// Seconds of training so far, the saved state's included (Lightning's `time_elapsed()`).
    public var elapsed: Double {
        guard let startTime else { return offset }
        return (endTime ?? monotonicSeconds()) - startTime + offset
    }

    public func onTrainBegin(logs: Logs) throws {
        startTime = monotonicSeconds()
        endTime = nil
        checkTimeRemaining()
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        if checksEveryStep { checkTimeRemaining() }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if !checksEveryStep { checkTimeRemaining() }
    }

    public func onTrainEnd(logs: Logs) throws {
        endTime = monotonicSeconds()
        host.report("elapsed_seconds", elapsed)
    }

    private func checkTimeRemaining() {
        guard let duration else { return }
        let elapsed = self.elapsed
        guard elapsed >= duration else { return }
        host.stopTraining(because: "the time limit of \(duration) seconds is reached")
        guard !announced else { return }
        announced = true
        host.report("elapsed_seconds", elapsed)
        if verbose {
            let shown = Duration.format(wholeSeconds: Int(elapsed))
            host.log(.info, "Time limit reached. Elapsed time is \(shown). Signaling Trainer to stop.")
        }
    }

    // MARK: - Saved state

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(elapsed)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        let version = try reader.readInt()
        guard version == Self.stateVersion else {
            throw PluginError("saved state has version \(version), this Timer reads version \(Self.stateVersion)")
        }
        let elapsed = try reader.readDouble()
        try reader.finish()
        guard elapsed.isFinite, elapsed >= 0 else { throw PluginError("saved state has a bad elapsed time \(elapsed)") }
        offset = elapsed
        startTime = nil
        endTime = nil
    }
}

/// The monotonic clock, in seconds.
private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Python's `repr` of a string, for messages that quote a parameter as Lightning does.
private func pythonQuoted(_ text: String) -> String {
    var quoted = "'"
    for character in text {
        if character == "\\" || character == "'" { quoted.append("\\") }
        quoted.append(character)
    }
    return quoted + "'"
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(Timer.self) }
