import Crypto
import Foundation

/// The SHA-256 of a file's bytes, as lowercase hexadecimal (what `sha256sum` prints).
public enum FileDigest {
    /// Why a file could not be read: the system's message.
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String

        init(errno code: Int32) { description = String(cString: strerror(code)) }
    }

    /// The digest of everything the open descriptor `fd` holds, read from offset 0 with
    /// `pread` (the descriptor's own offset is left alone).
    public static func sha256(fd: Int32) -> Result<String, ReadError> {
        var hasher = SHA256()
        let size = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var offset: off_t = 0
        while true {
            let count = pread(fd, buffer, size, offset)
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadError(errno: errno))
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: count))
            offset += off_t(count)
        }
        return .success(hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined())
    }

    /// The digest of the regular file at `path`.
    public static func sha256(path: String) -> Result<String, ReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(ReadError(errno: errno)) }
        defer { close(fd) }
        return sha256(fd: fd)
    }

    /// Whether `text` is a SHA-256 written as 64 hexadecimal digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
