import Foundation

/// `trainer plugins validate`: a conformance run of one plugin file, each check in a child
/// process of its own (`trainer validate-check`), so that a plugin that crashes, exits or
/// hangs fails that check, naming the signal or the time limit and the call it was in, and
/// never takes the validator down. `trainer plugins install` calls it too.
public struct PluginValidator: Sendable {
    /// Seconds one check may take, by default.
    public static let defaultTimeout: Double = 30

    /// The `trainer` binary to start for each check.
    public var executable: String
    /// Seconds each check may take before it is taken to hang.
    public var timeout: Double
    /// The scanner whose time limit the scan check holds the plugin to.
    public var scanner: PluginScanner

    public init(executable: String = "/proc/self/exe", timeout: Double = PluginValidator.defaultTimeout,
                scanner: PluginScanner? = nil) {
        self.executable = executable
        self.timeout = timeout
        var standard = scanner ?? PluginScanner.standard()
        standard.executable = executable
        standard.cacheLocation = nil
        self.scanner = standard
    }

    /// What a validation found.
    public struct Report: Codable, Sendable {
        public var path: String
        /// The plugin's id and version, when the scanner could read them.
        public var id: String?
        public var version: String?
        /// The seed of the random cases: the same seed repeats them.
        public var seed: UInt64
        public var checks: [CheckResult]
        /// The scan's wall-clock time, in seconds (the scanner's own process start included).
        public var scanSeconds: Double?

        public var passed: Bool { !checks.contains { $0.status == .fail } }
    }

    /// Runs every check on the plugin file at `path`, with `settings` (`key=value` texts
    /// read by the plugin's schema) for the parameters a run would set, drawing random cases
    /// from `seed`. The file must exist (the caller says so otherwise). A setting the
    /// plugin's schema refuses throws `PluginSettingsError`, before any check runs.
    public func validate(path: String, settings: [(key: String, value: String)] = [], seed: UInt64) throws -> Report {
        var report = Report(path: path, id: nil, version: nil, seed: seed, checks: [], scanSeconds: nil)

        let started = Self.now()
        let scanned = scanner.scan([path])[0].result
        let seconds = Self.now() - started
        report.scanSeconds = seconds
        switch scanned {
        case .invalid(let reason, let id):
            report.id = id
            report.checks.append(CheckResult(check: .scan, status: .fail, reason: reason))
            for check in ValidationCheck.allCases where check != .scan {
                report.checks.append(CheckResult(check: check, status: .skip, reason: "the scan failed"))
            }
            return report
        case .plugin(let descriptor):
            report.id = descriptor.id
            report.version = descriptor.version
            for (key, text) in settings {
                guard let spec = descriptor.parameter(named: key) else {
                    let known = descriptor.parameters.map(\.name).joined(separator: ", ")
                    throw PluginSettingsError(plugin: descriptor.id, key: key,
                                              message: "unknown parameter" + (known.isEmpty ? " (it takes none)" : " (parameters: \(known))"))
                }
                if case .failure(let problem) = spec.parse(text: text) {
                    throw PluginSettingsError(plugin: descriptor.id, key: key, message: problem.message)
                }
            }
            let limit = ScannerChild.seconds(scanner.timeout)
            let shown = String(format: "%.3f s", seconds)
            if seconds > scanner.timeout {
                report.checks.append(CheckResult(check: .scan, status: .fail,
                                                 reason: "scanned in \(shown), above the scanner's limit of \(limit)"))
            } else {
                report.checks.append(CheckResult(check: .scan, status: .pass,
                                                 reason: "scanned in \(shown) (the scanner's limit is \(limit) per file)"))
            }
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-validate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for check in ValidationCheck.allCases where check != .scan {
            let work = directory + "/" + check.rawValue
            do {
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            } catch {
                report.checks.append(CheckResult(check: check, status: .fail, reason: "could not make a directory for the check: \(error)"))
                continue
            }
            let arguments = ["--check", check.rawValue, "--plugin", path, "--seed", String(seed), "--work-dir", work]
                + settings.flatMap { ["--set", "\($0.key)=\($0.value)"] }
            let ending = CheckProcess.run(executable: executable, arguments: arguments, directory: work, timeout: timeout)
            report.checks.append(Self.result(of: check, ending))
        }
        return report
    }

    /// The check's result from how its process ended.
    static func result(of check: ValidationCheck, _ ending: CheckProcess.Ending) -> CheckResult {
        let errors = ending.errorTail.isEmpty ? nil : ending.errorTail
        if let failure = ending.failure {
            return CheckResult(check: check, status: .fail, reason: failure, errorOutput: errors)
        }
        guard let (status, reason) = ending.verdict else {
            return CheckResult(check: check, status: .fail, reason: "the check ended without a verdict", errorOutput: errors)
        }
        if check == .stdout, status == .pass, !ending.standardOutput.isEmpty {
            let text = String(decoding: ending.standardOutput.prefix(120), as: UTF8.self)
                .replacingOccurrences(of: "\n", with: "\\n")
            return CheckResult(check: check, status: .fail,
                               reason: "wrote \(ending.standardOutput.count) bytes to standard output (\"\(text)\"); "
                                   + "standard output is the user's: write through host->log", errorOutput: errors)
        }
        return CheckResult(check: check, status: status, reason: reason, errorOutput: status == .fail ? errors : nil)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
