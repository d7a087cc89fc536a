import Foundation

/// The scanner's side of scanning: what `trainer scan-plugins -- FILE...` does in the child
/// process `PluginScanner` starts. It opens each file in turn (running the plugin's
/// constructors and entry function here, never in the process that asked) and answers over
/// file descriptor 3 only, in `ScannerMessage` frames. Whatever a plugin prints goes to
/// standard error, never into the answer.
public enum PluginScanService {
    /// The file descriptor the answers go to: the write end of the parent's pipe.
    public static let answerDescriptor: Int32 = 3

    /// Scans `files` in order and answers for each. False when file descriptor 3 is not open
    /// (the command was not started by `trainer` itself): nothing is scanned.
    public static func serve(files: [String]) -> Bool {
        guard fcntl(answerDescriptor, F_GETFD) != -1 else { return false }
        // Standard output is the parent's standard error already; make sure of it when started
        // otherwise, so a plugin that prints cannot reach a pipe someone reads as data.
        _ = dup2(STDERR_FILENO, STDOUT_FILENO)
        // A crashing plugin leaves no core file behind.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        exitWhenOrphaned()
        for file in files {
            send(.starting(path: file))
            let result = PluginLoader.scan(path: file) { send(.stage($0)) }
            send(.answer(path: file, result: result))
        }
        return true
    }

    /// Writes one frame; a parent that stopped listening ends the scanner.
    private static func send(_ message: ScannerMessage) {
        guard let frame = try? message.frame() else { _exit(70) }
        writeAnswer(frame)
    }

    /// Writes a whole frame to the answer descriptor; a parent that stopped listening ends
    /// this child (the scanner, a validator's check).
    static func writeAnswer(_ frame: some ContiguousBytes) {
        frame.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(answerDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    _exit(0)
                }
                offset += written
            }
        }
    }

    /// A scanner whose parent is gone (killed while waiting for a plugin that hangs) exits
    /// instead of running on: a thread watches the parent while the main thread scans.
    static func exitWhenOrphaned() {
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { usleep(100_000) }
            _exit(0)
        }
    }
}
