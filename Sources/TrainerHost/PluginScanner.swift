import Foundation

/// Learns what plugin files are without running them in this process: the `trainer` binary,
/// started in its scanner mode (`trainer scan-plugins`), opens them in a child process and
/// answers over a pipe. A file whose scan crashes, exits, hangs or garbles the answer is
/// invalid with that reason; the scan goes on with the next file in a new child.
public struct PluginScanner: Sendable {
    /// The hidden subcommand of the scanner mode.
    public static let subcommand = "scan-plugins"
    /// Seconds a file may take, unless TRAINER_SCAN_TIMEOUT says otherwise.
    public static let defaultTimeout: Double = 5

    /// The `trainer` binary to start as the scanner.
    public var executable: String
    /// Seconds each file may take before it is taken to hang.
    public var timeout: Double
    /// The registry cache file, or nil for none.
    public var cacheLocation: String?

    public init(executable: String, timeout: Double = PluginScanner.defaultTimeout, cacheLocation: String?) {
        self.executable = executable
        self.timeout = timeout
        self.cacheLocation = cacheLocation
    }

    /// This very binary (/proc/self/exe) as the scanner; TRAINER_SCAN_TIMEOUT (seconds, more
    /// than 0) as the time limit per file; the cache in `ScanCache.standardLocation`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PluginScanner {
        var timeout = defaultTimeout
        if let text = environment["TRAINER_SCAN_TIMEOUT"], let value = Double(text), value.isFinite, value > 0 {
            timeout = value
        }
        return PluginScanner(executable: "/proc/self/exe", timeout: timeout,
                             cacheLocation: ScanCache.standardLocation(environment: environment))
    }

    /// One scan of a file: its result, and whether the result belongs to the file (and may be
    /// cached) or to the scanner (which could not run).
    struct Outcome {
        var result: ScanResult
        var cacheable: Bool
    }

    /// Scans `files` (regular files), one outcome per file, in order. Files go to one child
    /// until one of them takes it down; the rest go to the next child.
    func scan(_ files: [String]) -> [Outcome] {
        var outcomes: [String: Outcome] = [:]
        var remaining = files[...]
        while !remaining.isEmpty {
            let batch = Array(remaining)
            let report: ScannerChild.Report
            do {
                report = try ScannerChild(executable: executable, files: batch).collect(timeout: timeout)
            } catch {
                for file in batch {
                    outcomes[file] = Outcome(result: .invalid(reason: "the plugin scanner could not start: \(error)", id: nil),
                                             cacheable: false)
                }
                break
            }
            for (path, result) in report.answers { outcomes[path] = Outcome(result: result, cacheable: true) }
            remaining = remaining.dropFirst(report.answers.count)
            if let (path, reason) = report.failed {
                outcomes[path] = Outcome(result: .invalid(reason: reason, id: nil), cacheable: true)
                remaining = remaining.dropFirst()
            } else if let reason = report.stopped, report.answers.isEmpty {
                // No progress and no file to blame: the scanner itself does not work.
                for file in remaining {
                    outcomes[file] = Outcome(result: .invalid(reason: "not scanned: \(reason)", id: nil), cacheable: false)
                }
                break
            }
        }
        return files.map { outcomes[$0]! }
    }
}
