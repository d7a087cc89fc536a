import Foundation

/// What happens when an isolated plugin crashes, exits, hangs or garbles its answers
/// (`on_plugin_failure`): `disable` skips it for the rest of the run and training goes on;
/// `fail` ends the run with exit status 1. In process, a crash always ends the run.
public enum PluginFailurePolicy: String, Sendable, CaseIterable {
    case disable
    case fail
}

/// How a run isolates plugins: the `trainer` binary to start in its plugin-host mode, the time
/// one call may take, and where failures are recorded.
public struct PluginIsolation {
    /// The hidden subcommand of the plugin-host mode.
    public static let subcommand = "plugin-host"

    public var executable: String
    /// Seconds one relayed call may take in the plugin host (`hook_timeout`).
    public var timeout: Double
    public var failures: PluginFailureLog

    public init(executable: String = "/proc/self/exe", timeout: Double, failures: PluginFailureLog) {
        self.executable = executable
        self.timeout = timeout
        self.failures = failures
    }
}

/// The failures of isolated plugins during a run, in order: for the warnings, `report.json`
/// and the run's final message.
public final class PluginFailureLog {
    public struct Failure: Equatable, Sendable {
        public var plugin: String
        /// The hook or entry point ("on_epoch_end", "create", "save_state").
        public var hook: String
        public var epoch: Int?
        public var batch: Int?
        /// What the plugin host did: "crashed", "hung", "exited", "garbled its answer".
        public var verb: String
        /// "SIGSEGV", "no answer within 1 s", "status 3".
        public var detail: String
        public var action: PluginFailurePolicy

        /// "crashed (SIGSEGV)".
        public var reason: String { "\(verb) (\(detail))" }

        /// "plugin Misbehave crashed in on_epoch_end (SIGSEGV)".
        public var summary: String { "plugin \(plugin) \(verb) in \(hook) (\(detail))" }

        /// " at epoch 2, batch 5" (1-based, as the progress shows them), or "".
        public var place: String {
            var parts: [String] = []
            if let epoch { parts.append("epoch \(epoch + 1)") }
            if let batch { parts.append("batch \(batch + 1)") }
            return parts.isEmpty ? "" : " at " + parts.joined(separator: ", ")
        }
    }

    public private(set) var failures: [Failure] = []
    /// The epoch training is in, when a run knows it.
    public var currentEpoch: (() -> Int?)?

    public init() {}

    func record(_ failure: Failure) {
        failures.append(failure)
    }

    /// The failures as `report.json` lists them (`plugin_failures`).
    public var reportEntries: [[String: Any]] {
        failures.map { failure in
            var entry: [String: Any] = ["plugin": failure.plugin, "hook": failure.hook, "reason": failure.reason,
                                        "action": failure.action == .disable ? "disabled" : "failed"]
            if let epoch = failure.epoch { entry["epoch"] = epoch }
            if let batch = failure.batch { entry["batch"] = batch }
            return entry
        }
    }
}
