#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a data file whole, gunzipping it on the way when it is gzip data.
public enum DataFile {
    /// The contents of the file at `path`, decompressed when the file starts with the gzip
    /// magic bytes (whatever its name).
    ///
    /// - Throws: `DataError` naming the file when it is missing, unreadable, or holds gzip
    ///   data that is corrupt or truncated.
    public static func contents(of path: String) throws -> [UInt8] {
        let buffer = try load(path)
        return Array(buffer.bytes)
    }

    /// The file's bytes (decompressed when gzip) in a buffer with one spare zero byte after
    /// `count`, so text parsers can rely on a terminator. With `declared`, gzip data is
    /// decompressed up to the size the content's header declares and no further.
    static func load(_ path: String, declared: DeclaredSize.Reader? = nil) throws -> OwnedBuffer {
        try decode(loadRaw(path), path: path, declared: declared)
    }

    /// `raw` as `load` returns it: decompressed when it is gzip data (up to the size its
    /// content declares, with `declared`), then followed by a zero byte.
    static func decode(_ raw: OwnedBuffer, path: String, declared: DeclaredSize.Reader? = nil) throws -> OwnedBuffer {
        let data: OwnedBuffer
        if Gzip.isGzip(raw.bytes) {
            data = try Gzip.decompress(raw.bytes, file: path, declared: declared)
        } else {
            data = raw
        }
        data.reserve(data.count + 1)
        data.base.storeBytes(of: 0, toByteOffset: data.count, as: UInt8.self)
        return data
    }

    /// The file's bytes as stored.
    static func loadRaw(_ path: String) throws -> OwnedBuffer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw DataError(.missingFile, file: path, "no such file")
            }
            throw DataError(.unreadable, file: path, "cannot open: \(describe(code))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DataError(.unreadable, file: path, "cannot read its status: \(describe(errno))")
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw DataError(.unreadable, file: path, "is a directory, not a file")
        }
        // Regular files report their size; pipes and the like report 0 and grow as read.
        let expected = Int(status.st_size)
        let buffer = OwnedBuffer(capacity: expected + 1)
        while true {
            if buffer.count == buffer.capacity { buffer.reserve(buffer.capacity * 2) }
            let got = read(descriptor, buffer.base + buffer.count, buffer.capacity - buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw DataError(.unreadable, file: path, "read failed: \(describe(errno))")
            }
            if got == 0 { break }
            buffer.count += got
        }
        return buffer
    }

    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }
}
