import Foundation

/// One check's child process: `trainer validate-check ...`, started with its standard input
/// from /dev/null, its standard output and error into files of the validator's, the write end
/// of a pipe as file descriptor 3, in a process group of its own (killing the group ends
/// anything a plugin started). A crash, an exit or a hang is the check's failure, named with
/// the call the child was in.
final class CheckProcess {
    /// How the child ended.
    struct Ending {
        /// The verdict it sent, if it got that far.
        var verdict: (status: CheckStatus, reason: String)?
        /// Why it failed without a verdict (or after it): a crash, an exit, the time limit.
        var failure: String?
        /// What it wrote to standard output.
        var standardOutput: Data
        /// The last lines it wrote to standard error.
        var errorTail: String
    }

    /// Runs `executable validate-check arguments` in `directory` (where its output files go
    /// too), for at most `timeout` seconds.
    static func run(executable: String, arguments: [String], directory: String, timeout: Double) -> Ending {
        let outputPath = directory + "/.stdout", errorPath = directory + "/.stderr"
        var ending = run(executable: executable, arguments: arguments, outputPath: outputPath, errorPath: errorPath,
                         timeout: timeout)
        ending.standardOutput = FileManager.default.contents(atPath: outputPath) ?? Data()
        let errors = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
        ending.errorTail = errors.split(separator: "\n").suffix(8).joined(separator: "\n")
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
        return ending
    }

    /// Starts the child with its standard output and error into the two files, and waits
    /// for its verdict and its end.
    private static func run(executable: String, arguments: [String], outputPath: String, errorPath: String,
                            timeout: Double) -> Ending {
        var ending = Ending(verdict: nil, failure: nil, standardOutput: Data(), errorTail: "")

        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            ending.failure = "could not start the check: pipe: \(String(cString: strerror(errno)))"
            return ending
        }
        let writeEnd = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        close(ends[1])
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        let readEnd = ends[0]
        defer { close(readEnd) }
        guard writeEnd >= 0 else {
            ending.failure = "could not start the check: fcntl: \(String(cString: strerror(errno)))"
            return ending
        }

        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(executable: executable, arguments: [PluginCheckService.subcommand] + arguments,
                                       descriptors: [(writeEnd, PluginScanService.answerDescriptor)],
                                       outputFiles: (outputPath, errorPath))
        } catch {
            close(writeEnd)
            ending.failure = "could not start the check: \(error)"
            return ending
        }
        close(writeEnd)

        var reader = CheckFrameReader()
        var calling: String?
        var buffer = [UInt8](repeating: 0, count: 65536)
        // The child's own start (a process, the Swift runtime) is not the plugin's time: the
        // limit counts from its first message.
        var deadline = now() + max(timeout, 10)
        var started = false
        func place() -> String { calling.map { " in \($0)" } ?? "" }
        func finish(_ failure: String?) -> Ending {
            ChildSpawn.killAndReap(pid)
            ending.failure = failure
            return ending
        }

        while true {
            let left = deadline - now()
            guard left > 0 else {
                return finish("did not finish within the time limit of \(ScannerChild.seconds(timeout)) (hang\(place()))")
            }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno != EINTR { return finish("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return finish("read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            do {
                while let message = try reader.next() {
                    if !started {
                        started = true
                        deadline = now() + timeout
                    }
                    switch message {
                    case .calling(let what): calling = what
                    case .verdict(let status, let reason):
                        ending.verdict = (status, reason)
                        calling = "the end of the process, after the check"
                    }
                }
            } catch {
                return finish("garbled the check's answers (\(error))\(place())")
            }
        }

        // The child closed its answers: it is ending.
        guard let waitStatus = ChildSpawn.waitForExit(pid, until: deadline) else {
            return finish("did not exit within the time limit of \(ScannerChild.seconds(timeout))\(place())")
        }
        kill(-pid, SIGKILL)
        let signal = waitStatus & 0x7f
        let code = (waitStatus >> 8) & 0xff
        if signal != 0 {
            ending.failure = "crashed: \(ScannerChild.signalName(signal))\(place())"
        } else if ending.verdict == nil {
            ending.failure = "the process exited with status \(code) before the check ended\(place())"
        } else if code != 0 {
            ending.failure = "the process exited with status \(code)\(place())"
        }
        return ending
    }

    private static func now() -> Double { ChildSpawn.now() }
}
