import Foundation
import Logging

/// The child's side of a validator check: what `trainer validate-check` does. It runs one
/// check on a plugin file in this process (whose standard output and error the validator
/// captures in files), and answers on file descriptor 3 only, in `CheckMessage` frames.
public enum PluginCheckService {
    /// The hidden subcommand of the check mode.
    public static let subcommand = "validate-check"

    /// Runs `check` in `workDirectory` and answers. False when file descriptor 3 is not open
    /// (the command was not started by the validator): nothing runs.
    public static func serve(check: ValidationCheck, path: String, settings: [(key: String, value: String)], seed: UInt64,
                             workDirectory: String, logger: Logger) -> Bool {
        guard fcntl(PluginScanService.answerDescriptor, F_GETFD) != -1 else { return false }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        PluginScanService.exitWhenOrphaned()
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard chdir(workDirectory) == 0 else {
            send(.verdict(status: .fail, reason: "cannot enter \(workDirectory): \(String(cString: strerror(errno)))"))
            return true
        }
        let runner = CheckRunner(check: check, path: absolute, settings: settings, seed: seed, logger: logger,
                                 calling: { send(.calling($0)) })
        let (status, reason) = runner.run()
        fflush(stdout)
        send(.verdict(status: status, reason: reason))
        return true
    }

    private static func send(_ message: CheckMessage) {
        guard let frame = try? message.frame() else { _exit(70) }
        PluginScanService.writeAnswer(frame)
    }
}
