#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of raw memory with one owner, freed when the last reference goes.
///
/// File contents are read into one, decompressed into another, and a data set's samples can
/// stay in it without a further copy: datasets and their slices keep the buffer alive and
/// read it through pointers, so a view never copies.
final class OwnedBuffer: @unchecked Sendable {
    /// Start of the memory; aligned for any scalar type (malloc's guarantee).
    private(set) var base: UnsafeMutableRawPointer
    /// Bytes allocated.
    private(set) var capacity: Int
    /// Bytes in use.
    var count: Int = 0

    init(capacity: Int) {
        let bytes = Swift.max(capacity, 16)
        guard let memory = malloc(bytes) else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        base = memory
        self.capacity = bytes
    }

    /// A buffer holding a copy of `values`.
    convenience init<T>(copying values: [T]) {
        let bytes = values.count * MemoryLayout<T>.stride
        self.init(capacity: bytes)
        values.withUnsafeBytes { source in
            if let address = source.baseAddress { base.copyMemory(from: address, byteCount: bytes) }
        }
        count = bytes
    }

    deinit { free(base) }

    /// Makes room for at least `bytes` bytes in total, keeping the contents.
    func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        guard let memory = realloc(base, bytes) else {
            fatalError("out of memory growing a buffer to \(bytes) bytes")
        }
        base = memory
        capacity = bytes
    }

    /// Gives back the memory beyond `count`.
    func shrinkToFit() {
        let bytes = Swift.max(count, 16)
        guard bytes < capacity, let memory = realloc(base, bytes) else { return }
        base = memory
        capacity = bytes
    }

    /// Makes room for `bytes` more bytes after `count`, growing geometrically.
    func reserveAdditional(_ bytes: Int) {
        let needed = count + bytes
        if needed > capacity { reserve(Swift.max(needed, capacity &* 2)) }
    }

    /// Appends one value's bytes at `count`.
    @inline(__always)
    func append<T>(_ value: T) {
        reserveAdditional(MemoryLayout<T>.stride)
        (base + count).storeBytes(of: value, as: T.self)
        count += MemoryLayout<T>.stride
    }

    /// `count` values of type `T` starting `byteOffset` bytes in (which must suit `T`'s
    /// alignment); the memory is bound to `T` from then on.
    func pointer<T>(to type: T.Type, byteOffset: Int = 0, count: Int) -> UnsafeMutablePointer<T> {
        precondition(byteOffset % MemoryLayout<T>.alignment == 0, "misaligned view")
        precondition(byteOffset + count * MemoryLayout<T>.stride <= capacity, "view past the end")
        return (base + byteOffset).bindMemory(to: T.self, capacity: count)
    }

    /// Bytes in use, as a buffer pointer valid while `self` lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
