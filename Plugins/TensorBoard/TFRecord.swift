/// TFRecord framing, the container of TensorBoard's event files. Each record is
///
///     uint64 length (little-endian)
///     uint32 masked CRC-32C of the 8 length bytes
///     length bytes of data (here: one serialized `Event`)
///     uint32 masked CRC-32C of the data
///
/// (TensorFlow's tensorflow/core/lib/io/record_writer.cc.)
enum TFRecord {
    /// Bytes a record of `length` data bytes occupies.
    static func size(ofDataLength length: Int) -> Int { 8 + 4 + length + 4 }

    /// Appends one record holding `data` to `buffer`.
    static func append(_ data: [UInt8], to buffer: inout [UInt8]) {
        var header: [UInt8] = []
        header.reserveCapacity(12)
        appendLittleEndian(UInt64(data.count), to: &header)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(header)), to: &header)
        buffer.append(contentsOf: header)
        buffer.append(contentsOf: data)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &buffer)
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}
