import Foundation

/// One scanner process: `trainer scan-plugins -- FILE...`, started with its standard input
/// from /dev/null, its standard output on this process's standard error, and the write end of
/// a pipe as file descriptor 3, in a process group of its own (killing the group ends anything
/// a plugin started too). This side reads the answers, each file under a time limit.
final class ScannerChild {
    /// How a scan of several files ended.
    struct Report {
        /// The answers received, in the order of the files.
        var answers: [(path: String, result: ScanResult)] = []
        /// The file the scanner was in when it died, hung or wrote garbage, and why.
        var failed: (path: String, reason: String)?
        /// Why the scanner ended without answering for every file, when no file is to blame
        /// (it could not start, or stopped between files).
        var stopped: String?
    }

    private let pid: pid_t
    private let answers: Int32
    private let files: [String]
    private var reaped = false

    /// Starts `executable scan-plugins -- files`; throws a message when it cannot.
    init(executable: String, files: [String]) throws {
        self.files = files
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ScannerError("pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        defer { close(ends[1]) }
        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(executable: executable, arguments: [PluginScanner.subcommand, "--"] + files,
                                       descriptors: [(ends[1], PluginScanService.answerDescriptor)],
                                       outputToStandardError: true)
        } catch {
            close(ends[0])
            throw error
        }
        self.pid = pid
        self.answers = ends[0]
    }

    deinit {
        end()
        close(answers)
    }

    /// Reads answers until every file has one, the scanner dies, writes garbage, or a file
    /// takes longer than `timeout` seconds; then ends the scanner.
    func collect(timeout: Double) -> Report {
        var report = Report()
        var reader = ScannerFrameReader()
        var current: String?
        var stage: ScanStage?
        // The scanner's own start (a process, the Swift runtime) is not a plugin's time.
        var allowed = max(timeout, 10)
        var deadline = Self.now() + allowed
        var buffer = [UInt8](repeating: 0, count: 65536)

        func fail(_ reason: String) -> Report {
            end()
            if let current {
                report.failed = (current, reason)
            } else if report.answers.count < files.count, !report.answers.isEmpty {
                report.stopped = "the scanner stopped between files: \(reason)"
            } else {
                report.stopped = reason
            }
            return report
        }
        func during() -> String { stage.map { " (\($0.phrase))" } ?? "" }

        while report.answers.count < files.count {
            let left = deadline - Self.now()
            guard left > 0 else {
                return fail(current == nil ? "the plugin scanner did not answer within \(Self.seconds(allowed))"
                                           : "did not answer within \(Self.seconds(timeout))\(during())")
            }
            var poller = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno != EINTR { return fail("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return fail("read: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                // The scanner closed its end: it is ending (or a plugin closed descriptor 3).
                guard let status = waitForExit(until: deadline) else {
                    return fail(current == nil ? "the plugin scanner closed its answers and did not exit"
                                               : "did not answer within \(Self.seconds(timeout))\(during())")
                }
                if current != nil {
                    return fail(Self.describeLoadFailure(status: status, stage: stage))
                }
                return fail("the plugin scanner (\(Self.describe(status: status))) ended before answering for every file")
            }
            buffer.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            do {
                while let message = try reader.next() {
                    switch message {
                    case .starting(let path):
                        guard current == nil, path == files[report.answers.count] else {
                            throw ScannerFrameReader.Garbage(description: "an answer out of order")
                        }
                        current = path
                        stage = nil
                        allowed = timeout
                        deadline = Self.now() + allowed
                    case .stage(let next):
                        guard current != nil else { throw ScannerFrameReader.Garbage(description: "an answer out of order") }
                        stage = next
                    case .answer(let path, let result):
                        guard path == current else { throw ScannerFrameReader.Garbage(description: "an answer out of order") }
                        report.answers.append((path, result))
                        current = nil
                        stage = nil
                        allowed = timeout
                        deadline = Self.now() + allowed
                    }
                }
            } catch {
                if current == nil, report.answers.count < files.count { current = files[report.answers.count] }
                return fail("garbled the scanner's answer (\(error))\(during())")
            }
        }
        end()
        return report
    }

    /// Kills the scanner's process group (no-op once reaped) and reaps it.
    private func end() {
        guard !reaped else { return }
        ChildSpawn.killAndReap(pid)
        reaped = true
    }

    /// The scanner's wait status once it has exited, or nil when it is still running at
    /// `deadline`.
    private func waitForExit(until deadline: Double) -> Int32? {
        guard let status = ChildSpawn.waitForExit(pid, until: deadline) else { return nil }
        reaped = true
        return status
    }

    /// "crashed: SIGSEGV", "exited with status 3", from a wait status.
    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "crashed: \(signalName(signal))"
    }

    /// A plugin's end of the scanner, and where: "crashed while loading: SIGSEGV in dlopen",
    /// "exited with status 3 while loading (in trainer_plugin_entry)".
    static func describeLoadFailure(status: Int32, stage: ScanStage?) -> String {
        let signal = status & 0x7f
        if signal == 0 {
            return "exited with status \((status >> 8) & 0xff) while loading" + (stage.map { " (\($0.phrase))" } ?? "")
        }
        return "crashed while loading: \(signalName(signal))" + (stage.map { " \($0.phrase)" } ?? "")
    }

    /// SIGSEGV, SIGABRT, ...; "signal N" for one without a name here.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// "5 s", "0.5 s".
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e9 ? "\(Int(value)) s" : "\(value) s"
    }

    private static func now() -> Double { ChildSpawn.now() }
}

/// The scanner could not be started or run.
struct ScannerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
