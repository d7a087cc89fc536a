/// The IDX array format of MNIST and Fashion-MNIST, plain or gzipped.
///
/// Layout: two zero bytes, a type byte, a dimension count byte, then one big-endian UInt32
/// per dimension, then the elements, big-endian, in C order. Types: 0x08 unsigned byte,
/// 0x09 signed byte, 0x0B Int16, 0x0C Int32, 0x0D Float32, 0x0E Float64.
public enum IDXFile {
    /// Reads the IDX array in the file at `path` (gzip detected from the content).
    ///
    /// - Throws: `DataError` naming the file when it is missing or unreadable, its gzip data is
    ///   corrupt, its magic number is wrong, or its data is shorter or longer than the
    ///   dimensions say.
    public static func read(_ path: String) throws -> NumericArray {
        let file = try DataFile.load(path, declared: { try declaredSize($0, source: path) })
        return try parse(file, source: path)
    }

    /// What an IDX header says: the element type, the dimensions, and the sizes they make.
    struct Header {
        var element: NumericArray.FileElement
        var shape: [Int]
        /// Bytes of the header: magic number and dimensions.
        var size: Int
        /// Bytes of the elements the dimensions call for.
        var dataSize: Int
    }

    /// The header at the start of `bytes`, or nil when `complete` is false and the bytes end
    /// inside it.
    ///
    /// - Throws: `DataError` naming `source` for a wrong magic number, a header cut short (when
    ///   `complete`), or dimensions whose data would be larger than can be addressed.
    static func header(_ bytes: UnsafeRawBufferPointer, source: String, complete: Bool = true) throws -> Header? {
        guard bytes.count >= 4 else {
            guard complete else { return nil }
            throw DataError(.badMagic, file: source,
                            "not an IDX file: \(bytes.count) bytes, too short for the 4-byte magic number")
        }
        let magic = (0 ..< 4).map { hex(bytes[$0]) }.joined(separator: " ")
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(.badMagic, file: source,
                            "not an IDX file: magic number \(magic) does not start with 00 00")
        }
        let element: NumericArray.FileElement
        switch bytes[2] {
        case 0x08: element = .uint8
        case 0x09: element = .int8
        case 0x0B: element = .int16
        case 0x0C: element = .int32
        case 0x0D: element = .float32
        case 0x0E: element = .float64
        default:
            throw DataError(.badMagic, file: source,
                            "not an IDX file: magic number \(magic) has unknown type byte \(hex(bytes[2])) "
                            + "(expected 08, 09, 0B, 0C, 0D or 0E)")
        }
        let dimensionCount = Int(bytes[3])
        let headerSize = 4 + 4 * dimensionCount
        guard bytes.count >= headerSize else {
            guard complete else { return nil }
            throw DataError(.sizeMismatch, file: source,
                            "truncated IDX header: \(dimensionCount) dimensions need \(headerSize) bytes, "
                            + "the file has \(bytes.count)")
        }
        var shape: [Int] = []
        var elementCount = 1
        var overflow = false
        for d in 0 ..< dimensionCount {
            let dimension = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4 + 4 * d, as: UInt32.self)))
            shape.append(dimension)
            let product = elementCount.multipliedReportingOverflow(by: dimension)
            overflow = overflow || product.overflow
            elementCount = product.partialValue
        }
        let dataSize = elementCount.multipliedReportingOverflow(by: element.size)
        let total = headerSize.addingReportingOverflow(dataSize.partialValue)
        guard !overflow, !dataSize.overflow, !total.overflow else {
            throw DataError(.sizeMismatch, file: source,
                            "IDX data size does not match its dimensions: dimensions \(shape) of \(element.size)-byte "
                            + "elements need more than can be addressed, the file has \(bytes.count - headerSize) "
                            + "after the header")
        }
        return Header(element: element, shape: shape, size: headerSize, dataSize: dataSize.partialValue)
    }

    /// The size of the whole content the IDX header at the start of `bytes` declares.
    static func declaredSize(_ bytes: UnsafeRawBufferPointer, source: String) throws -> DeclaredSize? {
        guard let header = try header(bytes, source: source, complete: false) else { return nil }
        return DeclaredSize(bytes: header.size + header.dataSize,
                            declaredBy: "its IDX header declares (dimensions \(header.shape) of "
                                + "\(header.element.size)-byte elements)")
    }

    static func parse(_ file: OwnedBuffer, source: String) throws -> NumericArray {
        let bytes = file.bytes
        let header = try header(bytes, source: source)!
        let available = bytes.count - header.size
        guard header.dataSize == available else {
            let what = available < header.dataSize ? "truncated IDX data" : "IDX data size does not match its dimensions"
            throw DataError(.sizeMismatch, file: source,
                            "\(what): dimensions \(header.shape) of \(header.element.size)-byte elements need "
                            + "\(header.dataSize) bytes, the file has \(available) after the header")
        }
        return NumericArray.decode(header.element, bigEndian: true, shape: header.shape, file: file,
                                   byteOffset: header.size, source: source)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
