#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrainerPluginSDK

/// Makes the directories leading to `path` that do not exist yet (Keras: `os.makedirs` of the
/// checkpoint's directory).
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

/// Deletes the file at `path`; a file already gone is not an error.
func removeFile(_ path: String) throws {
    if unlink(path) != 0 && errno != ENOENT {
        throw PluginError("cannot delete \(path): \(String(cString: strerror(errno)))")
    }
}

/// The directory part of `path` ("" when it has none), as Python's `os.path.dirname`.
func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    let directory = String(path[..<slash])
    return directory.isEmpty ? "/" : directory
}
