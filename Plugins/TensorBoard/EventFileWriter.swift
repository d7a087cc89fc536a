import SwiftProtobuf
import TensorBoardProto
import TrainerPluginSDK
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An events file in one directory, as TensorFlow 2's summary file writer makes it:
/// `<directory>/events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2` (n counts the files the
/// process started: 0, 1, ...), a sequence of TFRecords whose first holds the
/// `file_version: "brain.Event:2"` event.
///
/// Events are framed into a memory buffer, written to the file whenever it passes 64 KiB and
/// by `flush()`, which also syncs the file to disk. The plugin flushes at the end of every
/// epoch, after each evaluation and when training ends, so a crash keeps every finished epoch. An events file is an
/// append-only log like TensorFlow's: a crash during a write can leave a torn last record,
/// which TensorBoard's reader skips.
final class EventFileWriter {
    /// The file's path.
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 64 * 1024

    /// Creates `directory` (and its parents) when missing and starts a new events file there.
    init(directory: String) throws {
        try makeDirectories(directory)
        let now = wallTime()
        let prefix = directory + "/events.out.tfevents." + zeroPadded(Int(now), width: 10) + "."
            + hostName() + "." + String(getpid()) + "."
        // The number before ".v2" counts the files this process started, as TensorFlow's
        // writer counts them; a name taken already (a file of an earlier process that had the
        // same pid) moves on to the next number.
        var candidate = ""
        var descriptor: Int32 = -1
        for _ in 0..<1000 {
            candidate = prefix + String(eventFileCounter) + ".v2"
            eventFileCounter += 1
            descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw systemError("cannot create", candidate) }
        fd = descriptor
        path = candidate

        var header = Tensorflow_Event()
        header.wallTime = now
        header.fileVersion = "brain.Event:2"
        try append(header)
        try flush()
    }

    deinit {
        try? close()
    }

    /// Adds one event to the buffer (written by the next `flush()`, or now when the buffer is
    /// large).
    func append(_ event: Tensorflow_Event) throws {
        guard fd >= 0 else { throw PluginError("\(path) is already closed") }
        let data: [UInt8]
        do {
            data = try event.serializedBytes()
        } catch {
            throw PluginError("cannot encode an event for \(path): \(error)")
        }
        TFRecord.append(data, to: &buffer)
        if buffer.count >= Self.flushThreshold { try writeBuffer() }
    }

    /// A summary event at `step`, stamped with the current time.
    func append(summary: Tensorflow_Summary, step: Int) throws {
        var event = Tensorflow_Event()
        event.wallTime = wallTime()
        event.step = Int64(step)
        event.summary = summary
        try append(event)
    }

    /// Writes out what is buffered and syncs the file to disk.
    func flush() throws {
        guard fd >= 0 else { return }
        try writeBuffer()
        guard fsync(fd) == 0 || errno == EINVAL || errno == EROFS else {
            throw systemError("cannot sync", path)
        }
    }

    /// Flushes and closes the file; later appends fail, later flushes do nothing.
    func close() throws {
        guard fd >= 0 else { return }
        defer {
            closeDescriptor(fd)
            fd = -1
        }
        try flush()
    }

    private func writeBuffer() throws {
        var written = 0
        var failure: PluginError?
        buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = systemError("cannot write", path)
                    return
                }
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }
}

/// Event files this process started (TensorFlow's writer numbers them the same way). Only the
/// host's training thread creates writers.
private var eventFileCounter = 0

private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Seconds since the Unix epoch, with microseconds.
func wallTime() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec / 1000) / 1e6
}

/// Seconds on a clock that never jumps, for rates.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// `mkdir -p`: creates `path` and every missing parent.
func makeDirectories(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        prefix += component
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw systemError("cannot create directory", prefix)
        }
        prefix += "/"
    }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
        throw PluginError("\(path) is not a directory")
    }
}

private func hostName() -> String {
    var name = [CChar](repeating: 0, count: 256)
    guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
    let host = String(cString: name)
    // A file name component: no slashes.
    return host.isEmpty ? "localhost" : String(host.map { $0 == "/" ? "_" : $0 })
}

private func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

private func systemError(_ what: String, _ path: String) -> PluginError {
    PluginError("\(what) \(path): \(String(cString: strerror(errno)))")
}
