/// NumPy's `.npy` array format (versions 1.0, 2.0 and 3.0), plain or gzipped.
///
/// Layout: `\x93NUMPY`, major and minor version bytes, the header length (little-endian UInt16
/// in 1.0, UInt32 in 2.0 and 3.0), the header (a Python dict literal naming dtype, order and
/// shape), then the elements. Supported dtypes: `<f4`, `<f8`, `|u1`, `<i4`, `<i8` (`=` for
/// native little-endian order is accepted too), in C order.
public enum NPYFile {
    /// Reads the array in the `.npy` file at `path` (gzip detected from the content).
    ///
    /// - Throws: `DataError` naming the file when it is missing or unreadable, is not an
    ///   `.npy` file, has an unreadable header, a dtype other than those supported, Fortran
    ///   order, or data shorter or longer than its shape says.
    public static func read(_ path: String) throws -> NumericArray {
        let file = try DataFile.load(path, declared: { try declaredSize($0, source: path) })
        return try parse(file, source: path)
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The longest header read: a real one is a short dict literal padded to 64 bytes.
    static let maximumHeaderLength = 65536

    /// What an `.npy` preamble and header say: the element type, the shape, where the data
    /// starts and how many bytes the shape calls for.
    struct Header {
        var descr: String
        var element: NumericArray.FileElement
        var shape: [Int]
        /// Bytes before the data: magic, version, header length, header.
        var dataStart: Int
        /// Bytes of the elements the shape calls for.
        var dataSize: Int
    }

    /// The header at the start of `bytes`, or nil when `complete` is false and the bytes end
    /// inside it.
    ///
    /// - Throws: `DataError` naming `source` when it is not an `.npy` file, has an unreadable
    ///   header, a dtype other than those supported, Fortran order, a header cut short (when
    ///   `complete`), or a shape whose data would be larger than can be addressed.
    static func header(_ bytes: UnsafeRawBufferPointer, source: String, complete: Bool = true) throws -> Header? {
        guard bytes.count >= 10 else {
            if !complete, zip(bytes, magic).allSatisfy({ $0 == $1 }) { return nil }
            throw DataError(.badMagic, file: source, "not a NumPy .npy file: it does not start with \\x93NUMPY")
        }
        guard Array(bytes[0 ..< 6]) == magic else {
            throw DataError(.badMagic, file: source, "not a NumPy .npy file: it does not start with \\x93NUMPY")
        }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                guard complete else { return nil }
                throw DataError(.sizeMismatch, file: source, "truncated .npy file: it ends inside the preamble")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw DataError(.unsupported, file: source,
                            ".npy format version \(major).\(minor) is not supported (only 1.0, 2.0 and 3.0)")
        }
        guard headerLength <= maximumHeaderLength else {
            throw DataError(.malformed, file: source,
                            "the .npy header declares \(headerLength) bytes, more than the \(maximumHeaderLength) read "
                            + "(NumPy itself reads at most 10000 by default)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= bytes.count else {
            guard complete else { return nil }
            throw DataError(.sizeMismatch, file: source,
                            "truncated .npy file: the header should be \(headerLength) bytes, the file ends after "
                            + "\(bytes.count - headerStart)")
        }
        // Version 1.0 and 2.0 headers are Latin-1, 3.0 UTF-8; the parts read here are ASCII.
        let headerText = String(decoding: bytes[headerStart ..< dataStart], as: UTF8.self)
        let header: NPYHeader
        do {
            header = try NPYHeader.parse(headerText)
        } catch let error as NPYHeader.ParseError {
            throw DataError(.malformed, file: source, "unreadable .npy header (\(error.message)): \(headerText.trimmed)")
        }
        if header.fortranOrder {
            throw DataError(.unsupported, file: source,
                            "the array is stored in Fortran order (fortran_order: True); only C order is supported "
                            + "(save it with numpy.ascontiguousarray first)")
        }
        let element: NumericArray.FileElement
        switch header.descr {
        case "<f4", "=f4": element = .float32
        case "<f8", "=f8": element = .float64
        case "|u1", "<u1", "=u1", ">u1": element = .uint8
        case "<i4", "=i4": element = .int32
        case "<i8", "=i8": element = .int64
        default:
            throw DataError(.unsupported, file: source,
                            "dtype '\(header.descr)' is not supported (supported: <f4, <f8, |u1, <i4, <i8)")
        }
        var count = 1
        for dimension in header.shape {
            let product = count.multipliedReportingOverflow(by: dimension)
            guard !product.overflow else {
                throw DataError(.sizeMismatch, file: source, "shape \(header.shape) is too large")
            }
            count = product.partialValue
        }
        let needed = count.multipliedReportingOverflow(by: element.size)
        guard !needed.overflow, !dataStart.addingReportingOverflow(needed.partialValue).overflow else {
            throw DataError(.sizeMismatch, file: source,
                            ".npy data size does not match its shape: shape \(header.shape) of \(header.descr) needs "
                            + "more bytes than can be addressed, the file has \(bytes.count - dataStart) after the header")
        }
        return Header(descr: header.descr, element: element, shape: header.shape, dataStart: dataStart,
                      dataSize: needed.partialValue)
    }

    /// The size of the whole content the `.npy` header at the start of `bytes` declares.
    static func declaredSize(_ bytes: UnsafeRawBufferPointer, source: String) throws -> DeclaredSize? {
        guard let header = try header(bytes, source: source, complete: false) else { return nil }
        return DeclaredSize(bytes: header.dataStart + header.dataSize,
                            declaredBy: "its .npy header declares (shape \(header.shape) of \(header.descr))")
    }

    static func parse(_ file: OwnedBuffer, source: String) throws -> NumericArray {
        let bytes = file.bytes
        let header = try header(bytes, source: source)!
        let available = bytes.count - header.dataStart
        guard header.dataSize == available else {
            let what = available < header.dataSize ? "truncated .npy data" : ".npy data size does not match its shape"
            throw DataError(.sizeMismatch, file: source,
                            "\(what): shape \(header.shape) of \(header.descr) needs \(header.dataSize) bytes, "
                            + "the file has \(available) after the header")
        }
        return NumericArray.decode(header.element, bigEndian: false, shape: header.shape, file: file,
                                   byteOffset: header.dataStart, source: source)
    }
}

private extension String {
    var trimmed: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}
