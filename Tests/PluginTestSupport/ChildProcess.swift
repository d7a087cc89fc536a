import Foundation

/// Runs a program to its end (cc, swiftc, readelf, nm, python3, the `trainer` executable) and
/// collects its status and what it printed. The program is found on PATH (through
/// /usr/bin/env) unless given as a path.
public enum ChildProcess {
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
        /// The exit status.
        public let status: Int32
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
    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil,
                           environment changes: [String: String?] = [:],
                           errors errorStream: ErrorStream = .captured) throws -> Result {
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
        try process.run()
        let collected = CollectedBytes()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            collected.data = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let errorData = errors?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, outputData: collected.data,
                      errors: String(decoding: errorData, as: UTF8.self))
    }

    /// `run`, for programs that must succeed (compilers, build steps): a non-zero status throws
    /// a HarnessError with the command and its standard error.
    @discardableResult
    public static func runSuccessfully(_ arguments: [String], in directory: String? = nil,
                                       environment changes: [String: String?] = [:]) throws -> Result {
        let result = try run(arguments, in: directory, environment: changes)
        guard result.status == 0 else {
            let command = arguments.prefix(8).joined(separator: " ") + (arguments.count > 8 ? " ..." : "")
            throw HarnessError("\(command) failed with status \(result.status):\n\(result.errors)")
        }
        return result
    }
}

/// Bytes read on another thread; read back only after that thread is done.
private final class CollectedBytes: @unchecked Sendable {
    var data = Data()
}
