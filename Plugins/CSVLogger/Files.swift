#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrainerPluginSDK

/// The bytes of the file at `path`, or nil when there is no such file.
func readFile(_ path: String) throws -> [UInt8]? {
    guard let file = fopen(path, "rb") else {
        if errno == ENOENT { return nil }
        throw PluginError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[..<n]) }
        if n < buffer.count {
            if ferror(file) != 0 { throw PluginError("cannot read \(path): \(String(cString: strerror(errno)))") }
            break
        }
    }
    return bytes
}

/// Makes the directories leading to `path` that do not exist yet.
func makeParentDirectories(of path: String) throws {
    var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast()
    var current = ""
    for (index, part) in parts.enumerated() {
        current += (index == 0 ? "" : "/") + part
        if part.isEmpty || part == "." || part == ".." { continue }
        if mkdir(current, 0o755) != 0 && errno != EEXIST {
            throw PluginError("cannot make the directory \(current): \(String(cString: strerror(errno)))")
        }
    }
}
