/// The error buffers of the ABI (`char *error, size_t error_size`): a message copied in with
/// its NUL, cut at a UTF-8 character boundary when it does not fit.
public enum ErrorBuffer {
    public static func write(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, size: Int) {
        guard let buffer, size > 0 else { return }
        let utf8 = Array(message.utf8)
        var count = min(utf8.count, size - 1)
        // Never end inside a character: back up while the first byte left out continues one.
        while count > 0 && count < utf8.count && utf8[count] & 0xC0 == 0x80 { count -= 1 }
        for i in 0..<count { buffer[i] = CChar(bitPattern: utf8[i]) }
        buffer[count] = 0
    }

    /// The message a callee wrote into `buffer` of `size` bytes, NUL-terminated or not.
    public static func read(_ buffer: UnsafeMutablePointer<CChar>, size: Int) -> String {
        guard size > 0 else { return "" }
        buffer[size - 1] = 0
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: strlen(buffer)), as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
