#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `bytes` to `path` so that a crash never leaves a half-written file there: the data
/// goes to a temporary file in the same directory, which is then renamed over `path`
/// (rename is atomic on one file system). Throws `PluginError` naming the file on failure.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw fileError("cannot create", temporary) }
    var written = 0
    var failure: PluginError?
    bytes.withUnsafeBytes { buffer in
        while written < buffer.count {
            let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = fileError("cannot write", temporary)
                return
            }
            written += n
        }
    }
    if close(fd) != 0 && failure == nil { failure = fileError("cannot write", temporary) }
    if failure == nil && rename(temporary, path) != 0 { failure = fileError("cannot rename to", path) }
    if let failure {
        unlink(temporary)
        throw failure
    }
}

/// Writes `text` as UTF-8, atomically (see `writeFileAtomically(_:to:)` for bytes).
public func writeFileAtomically(_ text: String, to path: String) throws {
    try writeFileAtomically(Array(text.utf8), to: path)
}

/// `name` inside `directory`; `name` itself when it is absolute or `directory` is empty.
public func filePath(_ name: String, in directory: String) -> String {
    if name.hasPrefix("/") || directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

private func fileError(_ what: String, _ path: String) -> PluginError {
    let reason = String(cString: strerror(errno))
    return PluginError("\(what) \(path): \(reason)")
}
