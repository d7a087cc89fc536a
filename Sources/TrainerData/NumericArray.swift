/// An n-dimensional array read from a data file (IDX, NumPy), in C order.
///
/// Bytes stay bytes and 32-bit floats stay as they were read (no copy when the file's data is
/// aligned); other element types are widened (integers to Int64) or narrowed (doubles to
/// Float) once, at load time.
public struct NumericArray: @unchecked Sendable {
    /// How the elements are held.
    public enum ElementType: String, Sendable, Equatable {
        case uint8
        case int64
        case float32
    }

    public let shape: [Int]
    public let elementType: ElementType
    /// The file the array was read from, for messages.
    public let source: String

    let storage: OwnedBuffer
    /// Where the elements start in `storage`.
    let byteOffset: Int

    init(shape: [Int], elementType: ElementType, source: String, storage: OwnedBuffer, byteOffset: Int = 0) {
        self.shape = shape
        self.elementType = elementType
        self.source = source
        self.storage = storage
        self.byteOffset = byteOffset
    }

    /// Number of elements (the product of `shape`; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// The elements as Floats (allocates; for inspection and tests).
    public func floats() -> [Float] {
        let n = count
        switch elementType {
        case .uint8:
            let p = storage.pointer(to: UInt8.self, byteOffset: byteOffset, count: n)
            return (0 ..< n).map { Float(p[$0]) }
        case .int64:
            let p = storage.pointer(to: Int64.self, byteOffset: byteOffset, count: n)
            return (0 ..< n).map { Float(p[$0]) }
        case .float32:
            let p = storage.pointer(to: Float.self, byteOffset: byteOffset, count: n)
            return Array(UnsafeBufferPointer(start: p, count: n))
        }
    }
}

extension NumericArray {
    /// An array of `count` elements of `T` read from little- or big-endian bytes at `source`
    /// and converted by `convert`, in a new buffer.
    static func converting<Raw: FixedWidthInteger, T>(
        _ bytes: UnsafeRawPointer, count: Int, bigEndian: Bool, to type: T.Type,
        _ convert: (Raw) -> T
    ) -> (OwnedBuffer, UnsafeMutablePointer<T>) {
        let buffer = OwnedBuffer(capacity: count * MemoryLayout<T>.stride)
        buffer.count = count * MemoryLayout<T>.stride
        let output = buffer.pointer(to: T.self, count: count)
        let size = MemoryLayout<Raw>.size
        for i in 0 ..< count {
            let raw = bytes.loadUnaligned(fromByteOffset: i * size, as: Raw.self)
            output[i] = convert(bigEndian ? Raw(bigEndian: raw) : Raw(littleEndian: raw))
        }
        return (buffer, output)
    }

    /// Reads `count` elements of a file's element type into an array.
    enum FileElement {
        case uint8, int8, int16, int32, int64, float32, float64
        var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .int64, .float64: return 8
            }
        }
    }

    /// Builds an array from the elements at `byteOffset` in `file` (the whole file's bytes),
    /// sharing `file` when the elements can be used as they are.
    static func decode(_ element: FileElement, bigEndian: Bool, shape: [Int], file: OwnedBuffer,
                       byteOffset: Int, source: String) -> NumericArray {
        let count = shape.reduce(1, *)
        let bytes = UnsafeRawPointer(file.base + byteOffset)
        let nativeLittle = 1.littleEndian == 1
        func make(_ type: ElementType, _ buffer: OwnedBuffer) -> NumericArray {
            NumericArray(shape: shape, elementType: type, source: source, storage: buffer)
        }
        switch element {
        case .uint8:
            return NumericArray(shape: shape, elementType: .uint8, source: source,
                                storage: file, byteOffset: byteOffset)
        case .int8:
            return make(.int64, converting(bytes, count: count, bigEndian: bigEndian, to: Int64.self) { (v: Int8) in Int64(v) }.0)
        case .int16:
            return make(.int64, converting(bytes, count: count, bigEndian: bigEndian, to: Int64.self) { (v: Int16) in Int64(v) }.0)
        case .int32:
            return make(.int64, converting(bytes, count: count, bigEndian: bigEndian, to: Int64.self) { (v: Int32) in Int64(v) }.0)
        case .int64:
            return make(.int64, converting(bytes, count: count, bigEndian: bigEndian, to: Int64.self) { (v: Int64) in v }.0)
        case .float32:
            if bigEndian != nativeLittle, byteOffset % MemoryLayout<Float>.alignment == 0 {
                return NumericArray(shape: shape, elementType: .float32, source: source,
                                    storage: file, byteOffset: byteOffset)
            }
            return make(.float32, converting(bytes, count: count, bigEndian: bigEndian, to: Float.self) { (v: UInt32) in Float(bitPattern: v) }.0)
        case .float64:
            return make(.float32, converting(bytes, count: count, bigEndian: bigEndian, to: Float.self) { (v: UInt64) in Float(Double(bitPattern: v)) }.0)
        }
    }
}
