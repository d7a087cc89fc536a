import CTrainerPlugin

extension Host {
    /// The table of extension `id` as this SDK knows its type: the part the host's
    /// struct_size covers is copied into a zeroed `T`, so fields the host does not have are
    /// nil or zero. nil when the host lacks the extension.
    func extensionTable<T>(_ id: String, as type: T.Type) -> T? {
        guard let raw = `extension`(id: id) else { return nil }
        return CStruct.known(raw, as: T.self)
    }
}

/// Copying what the reader knows of a C struct that starts with `uint32_t struct_size`.
enum CStruct {
    /// `T` zeroed, then filled with at most `struct_size` bytes from `raw`.
    static func known<T>(_ raw: UnsafeRawPointer, as type: T.Type) -> T {
        let value = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { value.deallocate() }
        UnsafeMutableRawPointer(value).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        let size = min(Int(raw.load(as: UInt32.self)), MemoryLayout<T>.size)
        UnsafeMutableRawPointer(value).copyMemory(from: raw, byteCount: size)
        return value.pointee
    }
}
