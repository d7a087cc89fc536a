/// One check of `trainer plugins validate`, run in a child process of its own, in this order.
public enum ValidationCheck: String, CaseIterable, Codable, Sendable {
    /// The real scanner opens the file, under its time limit; the time is reported.
    case scan
    /// The descriptor: id, versions, struct sizes, parameter schema, defaults.
    case descriptor
    /// create with the default parameters (and those given with --set), then destroy.
    case create
    /// create with each edge value of each parameter the schema allows, then destroy.
    case createEdgeCases = "create-edge-cases"
    /// fit with validation, every hook, driven with typical and edge-case logs.
    case fit
    /// evaluate: the test hooks outside fit.
    case evaluate
    /// predict: the predict hooks.
    case predict
    /// save_state, load_state, save_state byte-identical; empty and random bytes.
    case state
    /// Every call of the host table comes from the thread that called the plugin.
    case threads
    /// Nothing on standard output outside `host->log`.
    case stdout

    /// What the check looks at, for the report.
    public var summary: String {
        switch self {
        case .scan: return "the scanner reads the plugin within its time limit"
        case .descriptor: return "id, versions, struct sizes, parameter schema, defaults"
        case .create: return "create with the defaults, then destroy"
        case .createEdgeCases: return "create with edge-case parameter values: succeeds or refuses with a message"
        case .fit: return "fit with validation, every hook, typical and edge-case logs"
        case .evaluate: return "evaluate: the test hooks"
        case .predict: return "predict: the predict hooks"
        case .state: return "save_state/load_state round trip; empty and random bytes refused or accepted"
        case .threads: return "the host is called only from the thread that called the plugin"
        case .stdout: return "nothing written to standard output outside host->log"
        }
    }
}

/// How a check ended.
public enum CheckStatus: String, Codable, Sendable {
    case pass, fail, skip
}

/// The outcome of one check: pass, fail or skip, with the reason.
public struct CheckResult: Codable, Equatable, Sendable {
    public var check: ValidationCheck
    public var status: CheckStatus
    public var reason: String
    /// The last lines the check's child process wrote to standard error, when it failed.
    public var errorOutput: String?

    public init(check: ValidationCheck, status: CheckStatus, reason: String, errorOutput: String? = nil) {
        self.check = check
        self.status = status
        self.reason = reason
        self.errorOutput = errorOutput
    }
}
