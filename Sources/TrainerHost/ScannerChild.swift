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
        // The write end must not be 3 already (dup2 onto itself would keep close-on-exec).
        let writeEnd = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        close(ends[1])
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        guard writeEnd >= 0 else {
            close(ends[0])
            throw ScannerError("fcntl: \(String(cString: strerror(errno)))")
        }
        defer { close(writeEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, PluginScanService.answerDescriptor)
        // Nothing else of this process's (its own pipes, files, sockets) reaches the plugins.
        _ = Self.closeFrom?(&actions, PluginScanService.answerDescriptor + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // The Swift runtime's backtracer would take its time over a plugin's crash; the
        // signal alone is the answer.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let arguments = [executable, PluginScanner.subcommand, "--"] + files
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(ends[0])
            throw ScannerError("\(executable): \(String(cString: strerror(status)))")
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
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
    }

    /// The scanner's wait status once it has exited, or nil when it is still running at
    /// `deadline`.
    private func waitForExit(until deadline: Double) -> Int32? {
        var status: Int32 = 0
        var pause: UInt32 = 1000
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid {
                reaped = true
                return status
            }
            if done < 0 && errno != EINTR { return nil }
            if Self.now() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later), which Swift does not
    /// see without _GNU_SOURCE; nil on a C library without it.
    static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

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

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The scanner could not be started or run.
struct ScannerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
