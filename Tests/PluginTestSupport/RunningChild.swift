import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program `ChildProcess.start` started. What it prints is read while it runs (so neither
/// pipe fills up, and what came so far can be shown); a watchdog kills it with SIGKILL, with
/// its process group when it leads one, once `timeout` seconds have passed. `wait()` gives
/// how it ended, or throws `ChildProcess.TimedOut`.
public final class RunningChild: @unchecked Sendable {
    /// The command: the program, then its arguments.
    public let arguments: [String]
    /// The time limit, in seconds from the start.
    public let timeout: TimeInterval

    private let process: Process
    /// Whether the program leads a process group of its own (see `killAll`).
    private let leadsGroup: Bool
    private let deadline: DispatchTime
    private let exit: ExitWatch
    private let output: PipeReader
    private let errors: PipeReader?
    /// Left by both readers when their pipes are at their end.
    private let readers = DispatchGroup()

    init(_ process: Process, arguments: [String], output: Pipe, errors: Pipe?, timeout: TimeInterval) throws {
        self.process = process
        self.arguments = arguments
        self.timeout = timeout
        let exit = ExitWatch()
        self.exit = exit
        process.terminationHandler = { _ in exit.exited() }
        deadline = .now() + timeout
        try process.run()
        let pid = process.processIdentifier
        leadsGroup = getpgid(pid) == pid
        let readers = self.readers
        self.output = PipeReader(output.fileHandleForReading, group: readers)
        self.errors = errors.map { PipeReader($0.fileHandleForReading, group: readers) }
        let leadsGroup = self.leadsGroup
        DispatchQueue.global().asyncAfter(deadline: deadline) {
            if exit.expire() { killAll(pid, group: leadsGroup) }
        }
    }

    deinit {
        // A test that neither waited nor killed leaves nothing running behind it.
        if exit.expire() { killAll(process.processIdentifier, group: leadsGroup) }
    }

    /// The program's process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// True until the program has ended.
    public var isRunning: Bool { !exit.hasExited }

    /// Sends `signal` to the program alone (as a crash or a user would end it); `wait()` then
    /// reports the signal as a normal ending.
    public func kill(_ signal: Int32 = SIGKILL) {
        guard isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the program's end and for its pipes to close, then gives its status and what
    /// it printed. Throws `ChildProcess.TimedOut` when the watchdog had to kill it, or when
    /// something it started still held its output open past the time limit.
    public func wait() throws -> ChildProcess.Result {
        exit.group.wait() // the watchdog ends it by the deadline
        var drained = readers.wait(timeout: max(deadline, .now()) + Self.drainGrace) == .success
        if !drained && leadsGroup {
            // It ended, but what it started holds its pipes: its group outlives it while they live.
            _ = Glibc.kill(-process.processIdentifier, SIGKILL)
            drained = readers.wait(timeout: .now() + Self.drainGrace) == .success
        }
        if exit.expired || !drained {
            throw ChildProcess.TimedOut(arguments: arguments, timeout: timeout, exited: !exit.expired,
                                        output: output.text, errors: errors?.text ?? "")
        }
        return ChildProcess.Result(status: process.terminationStatus, reason: process.terminationReason,
                                   outputData: output.data, errors: errors?.text ?? "")
    }

    /// How long after the deadline (or after the program's end, if later) its pipes may take to
    /// close: what the kernel needs to tear down the killed processes.
    private static let drainGrace: DispatchTimeInterval = .seconds(10)
}

/// Kills `pid` with SIGKILL, and with `group` every process of the group it leads: compilers,
/// `swift build` and shells start helpers that would otherwise live on and keep the pipes open.
private func killAll(_ pid: Int32, group: Bool) {
    if group { _ = kill(-pid, SIGKILL) }
    _ = kill(pid, SIGKILL)
}

/// Whether the program has ended, and whether the watchdog got there first.
private final class ExitWatch: @unchecked Sendable {
    /// Left once, when the program has ended.
    let group = DispatchGroup()
    private let lock = NSLock()
    private var ended = false
    private var killed = false

    init() { group.enter() }

    /// The program ended (Process's termination handler).
    func exited() {
        lock.lock()
        ended = true
        lock.unlock()
        group.leave()
    }

    /// The time limit passed: true (and remembered) when the program is still running and must
    /// be killed.
    func expire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !ended, !killed else { return false }
        killed = true
        return true
    }

    var hasExited: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// Whether the watchdog killed the program.
    var expired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return killed
    }
}

/// Reads a pipe to its end on a thread of its own; what arrived so far can be read at any time.
private final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    /// Keeps the read end open while the thread reads it.
    private let handle: FileHandle

    init(_ handle: FileHandle, group: DispatchGroup) {
        self.handle = handle
        group.enter()
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(handle.fileDescriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                lock.lock()
                bytes.append(contentsOf: buffer[..<count])
                lock.unlock()
            }
            group.leave()
        }
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }

    var text: String { String(decoding: data, as: UTF8.self) }
}
