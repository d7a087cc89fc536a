import Foundation

/// Writes files so that readers see either the old file or the whole new one.
enum AtomicFile {
    /// Writes `data` to a temporary file next to `path`, flushes it, then renames it to `path`.
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw SafetensorsError(path: path, message: "cannot create the temporary file \(temporary)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw SafetensorsError(path: path, message: "cannot rename \(temporary) to it: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            if error is SafetensorsError { throw error }
            throw SafetensorsError(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
