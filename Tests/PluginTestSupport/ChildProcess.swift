import Foundation

/// Runs a program to its end (cc, swiftc, readelf, nm, python3, the `trainer` executable) and
/// collects its status and what it printed. The program is found on PATH (through
/// /usr/bin/env) unless given as a path. Every program gets a time limit: one still running
/// when it passes is killed and the call throws `ChildProcess.TimedOut`, so a hang fails the
/// test instead of stalling the suite.
public enum ChildProcess {
    /// The time limit of a call that names none, in seconds: ample for a training run of the
    /// tests or a compiler on a busy machine, and still an end to a hang.
    public static let defaultTimeout: TimeInterval = 300

    /// Where the program's standard error goes.
    public enum ErrorStream {
        /// Collected apart from standard output, in `Result.errors`.
        case captured
        /// Into the same pipe as standard output, interleaved as printed, in `Result.output`.
        case mergedIntoOutput
        /// Thrown away.
        case discarded
    }

    /// How the program ended and what it printed.
    public struct Result {
        /// The exit status, or the number of the signal that ended the program when `reason`
        /// is `.uncaughtSignal`.
        public let status: Int32
        /// Whether the program exited or was ended by a signal.
        public let reason: Process.TerminationReason
        /// Standard output, as bytes (for JSON and other binary readers).
        public let outputData: Data
        /// Standard error (empty unless `ErrorStream.captured`).
        public let errors: String

        /// Standard output, as text.
        public var output: String { String(decoding: outputData, as: UTF8.self) }
    }

    /// Runs `arguments` (the program, then its arguments) in `directory` (default: this
    /// process's), with `environment` changed on top of this process's: a nil value removes a
    /// variable. Both pipes are read while the program runs, so neither can fill up and block it.
    /// Throws `TimedOut` when the program is still running after `timeout` seconds (it is then
    /// killed).
    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil,
                           environment changes: [String: String?] = [:],
                           errors errorStream: ErrorStream = .captured,
                           timeout: TimeInterval = defaultTimeout) throws -> Result {
        try start(arguments, in: directory, environment: changes, errors: errorStream, timeout: timeout).wait()
    }

    /// Starts what `run` runs and returns at once, for a test that acts while the program runs
    /// (watches its files, kills it); `RunningChild.wait()` then gives the result.
    public static func start(_ arguments: [String], in directory: String? = nil,
                             environment changes: [String: String?] = [:],
                             errors errorStream: ErrorStream = .captured,
                             timeout: TimeInterval = defaultTimeout) throws -> RunningChild {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if !changes.isEmpty {
            var environment = ProcessInfo.processInfo.environment
            for (name, value) in changes { environment[name] = value }
            process.environment = environment
        }
        let output = Pipe()
        process.standardOutput = output
        let errors = errorStream == .captured ? Pipe() : nil
        switch errorStream {
        case .captured: process.standardError = errors
        case .mergedIntoOutput: process.standardError = output
        case .discarded: process.standardError = FileHandle.nullDevice
        }
        return try RunningChild(process, arguments: arguments, output: output, errors: errors, timeout: timeout)
    }

    /// `run`, for programs that must succeed (compilers, build steps): a non-zero status throws
    /// a HarnessError with the command and its standard error.
    @discardableResult
    public static func runSuccessfully(_ arguments: [String], in directory: String? = nil,
                                       environment changes: [String: String?] = [:],
                                       timeout: TimeInterval = defaultTimeout) throws -> Result {
        let result = try run(arguments, in: directory, environment: changes, timeout: timeout)
        guard result.status == 0, result.reason == .exit else {
            let ending = result.reason == .exit ? "failed with status" : "was killed by signal"
            throw HarnessError("\(command(arguments)) \(ending) \(result.status):\n\(result.errors)")
        }
        return result
    }

    /// A command for a message: its first eight words, then "..." if there are more.
    static func command(_ arguments: [String]) -> String {
        arguments.prefix(8).joined(separator: " ") + (arguments.count > 8 ? " ..." : "")
    }
}
