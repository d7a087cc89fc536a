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

/// The bytes of the file at `path`, or nil when there is no such file.
public func readFile(_ path: String) throws -> [UInt8]? {
    guard let file = fopen(path, "rb") else {
        if errno == ENOENT { return nil }
        throw fileError("cannot read", path)
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[..<n]) }
        if n < buffer.count {
            if ferror(file) != 0 { throw fileError("cannot read", path) }
            break
        }
    }
    return bytes
}

/// Makes the directories leading to `path` that do not exist yet (Python's `os.makedirs` of
/// its directory).
public func makeParentDirectories(of path: String) throws {
    var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast()
    var current = ""
    for (index, part) in parts.enumerated() {
        current += (index == 0 ? "" : "/") + part
        if part.isEmpty || part == "." || part == ".." { continue }
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw fileError("cannot make the directory", current)
        }
    }
}

/// Deletes the file at `path`; a file already gone is not an error.
public func removeFile(_ path: String) throws {
    if unlink(path) != 0 && errno != ENOENT {
        throw fileError("cannot delete", path)
    }
}

/// The directory part of `path` ("" when it has none), as Python's `os.path.dirname`.
public func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    let directory = String(path[..<slash])
    return directory.isEmpty ? "/" : directory
}

private func fileError(_ what: String, _ path: String) -> PluginError {
    let reason = String(cString: strerror(errno))
    return PluginError("\(what) \(path): \(reason)")
}
