/// The struct-size rule of the ABI, for structs that start with `uint32_t struct_size`: a reader
/// copies at most what both sides know into a zeroed value; a writer writes at most the reader's
/// `struct_size` bytes and says how many it wrote.
public enum CStruct {
    /// `T` zeroed, then filled with at most `struct_size` bytes from `raw` (a struct the other
    /// side filled, perhaps of an older, shorter layout).
    public static func known<T>(_ raw: UnsafeRawPointer, as type: T.Type) -> T {
        let value = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { value.deallocate() }
        UnsafeMutableRawPointer(value).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        let size = min(Int(raw.load(as: UInt32.self)), MemoryLayout<T>.size)
        UnsafeMutableRawPointer(value).copyMemory(from: raw, byteCount: size)
        return value.pointee
    }

    /// Writes `value` into `out`, a struct the reader sized: at most the reader's `struct_size`
    /// bytes, and `struct_size` set to what was written.
    public static func copy<T>(_ value: T, into out: UnsafeMutablePointer<T>) {
        var value = value
        let declared = Int(UnsafeRawPointer(out).load(as: UInt32.self))
        let size = min(declared, MemoryLayout<T>.size)
        guard size >= MemoryLayout<UInt32>.size else { return }
        withUnsafeMutableBytes(of: &value) { bytes in
            bytes.storeBytes(of: UInt32(size), as: UInt32.self)
            UnsafeMutableRawPointer(out).copyMemory(from: bytes.baseAddress!, byteCount: size)
        }
    }
}
