// Reads TensorBoard event files back: TFRecord framing checked with a CRC-32C written here
// independently of the plugin's (bit by bit, no table), then each record decoded as an Event
// with the generated protobuf types.
import Foundation
import SwiftProtobuf
import TensorBoardProto

/// CRC-32C computed one bit at a time, straight from the definition (reflected polynomial
/// 0x82F63B78), to check the plugin's table-driven one.
func referenceCRC32C<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0x82F6_3B78)
        }
    }
    return ~crc
}

func referenceMaskedCRC32C<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    let crc = referenceCRC32C(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
}

struct EventFileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every record of a TFRecord file, with both CRCs checked; throws on a bad CRC or a torn
/// record.
func readRecords(_ path: String) throws -> [[UInt8]] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var records: [[UInt8]] = []
    var offset = 0
    func uint32(at i: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) }
    }
    while offset < bytes.count {
        guard offset + 12 <= bytes.count else { throw EventFileError("\(path): torn header at \(offset)") }
        let lengthBytes = bytes[offset..<offset + 8]
        let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        guard uint32(at: offset + 8) == referenceMaskedCRC32C(lengthBytes) else {
            throw EventFileError("\(path): bad length CRC at \(offset)")
        }
        let start = offset + 12
        guard length <= UInt64(bytes.count), start + Int(length) + 4 <= bytes.count else {
            throw EventFileError("\(path): torn record at \(offset)")
        }
        let data = Array(bytes[start..<start + Int(length)])
        guard uint32(at: start + Int(length)) == referenceMaskedCRC32C(data) else {
            throw EventFileError("\(path): bad data CRC at \(offset)")
        }
        records.append(data)
        offset = start + Int(length) + 4
    }
    return records
}

/// Every event of one file, in order.
func readEvents(_ path: String) throws -> [Tensorflow_Event] {
    try readRecords(path).map { try Tensorflow_Event(serializedBytes: $0) }
}

/// The events files in `directory` (sorted by name, as TensorBoard reads them).
func eventFiles(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasPrefix("events.out.tfevents.") }
        .sorted()
        .map { directory + "/" + $0 }
}

/// What a run directory (train/ or validation/) holds, by tag.
struct RunContents {
    var fileVersions: [String] = []
    /// tag -> [(step, value)] in file order.
    var scalars: [String: [(step: Int64, value: Float)]] = [:]
    var histograms: [String: [(step: Int64, histogram: Tensorflow_HistogramProto)]] = [:]
    var texts: [String: [(step: Int64, text: String, metadata: Tensorflow_SummaryMetadata)]] = [:]
    /// Tensors of the "images" plugin: [width, height, png, ...].
    var images: [String: [(step: Int64, tensor: Tensorflow_TensorProto, metadata: Tensorflow_SummaryMetadata)]] = [:]
    var eventCount = 0

    init(directory: String) throws {
        for file in try eventFiles(in: directory) {
            let events = try readEvents(file)
            eventCount += events.count
            for event in events {
                switch event.what {
                case .fileVersion(let version): fileVersions.append(version)
                case .summary(let summary):
                    for value in summary.value {
                        switch value.value {
                        case .simpleValue(let v): scalars[value.tag, default: []].append((event.step, v))
                        case .histo(let h): histograms[value.tag, default: []].append((event.step, h))
                        case .tensor(let t) where value.metadata.pluginData.pluginName == "images":
                            images[value.tag, default: []].append((event.step, t, value.metadata))
                        case .tensor(let t):
                            let text = t.stringVal.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
                            texts[value.tag, default: []].append((event.step, text, value.metadata))
                        default: break
                        }
                    }
                default: break
                }
            }
        }
    }

    func steps(_ tag: String) -> [Int64] { scalars[tag]?.map(\.step) ?? [] }
    func values(_ tag: String) -> [Float] { scalars[tag]?.map(\.value) ?? [] }
}

// MARK: - PNG, read back independently of the plugin's encoder

/// CRC-32 (PNG's, reflected polynomial 0xEDB88320) bit by bit.
func referenceCRC32<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
    }
    return ~crc
}

/// An 8-bit PNG decoded: chunk CRCs, the zlib header and Adler-32 checked. Inflates stored
/// deflate blocks only (what the plugin writes) and unfilters filter type 0 only.
struct DecodedPNG: Equatable {
    var width: Int
    var height: Int
    var channels: Int
    var pixels: [UInt8]

    init(_ png: [UInt8]) throws {
        guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw EventFileError("not a PNG") }
        func be32(_ i: Int) -> Int { Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]) }
        var offset = 8
        var header: [UInt8] = []
        var idat: [UInt8] = []
        var chunks: [String] = []
        while offset < png.count {
            let length = be32(offset)
            let typeAndData = Array(png[(offset + 4)..<(offset + 8 + length)])
            guard UInt32(be32(offset + 8 + length)) == referenceCRC32(typeAndData) else { throw EventFileError("bad chunk CRC") }
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            chunks.append(type)
            if type == "IHDR" { header = Array(typeAndData.dropFirst(4)) }
            if type == "IDAT" { idat += typeAndData.dropFirst(4) }
            offset += 12 + length
        }
        guard chunks.first == "IHDR", chunks.last == "IEND", header.count == 13 else { throw EventFileError("chunks \(chunks)") }
        width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        guard header[8] == 8, header[10] == 0, header[11] == 0, header[12] == 0 else { throw EventFileError("IHDR \(header)") }
        switch header[9] {
        case 0: channels = 1
        case 2: channels = 3
        case 6: channels = 4
        default: throw EventFileError("colour type \(header[9])")
        }
        // zlib: header, stored blocks, Adler-32.
        guard idat.count >= 6, (Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0, idat[0] & 0x0F == 8 else { throw EventFileError("zlib header") }
        var raw: [UInt8] = []
        var i = 2
        while true {
            let flags = idat[i]
            guard flags & 0b110 == 0 else { throw EventFileError("not a stored block") }
            let length = Int(idat[i + 1]) | Int(idat[i + 2]) << 8
            let inverse = Int(idat[i + 3]) | Int(idat[i + 4]) << 8
            guard length ^ inverse == 0xFFFF else { throw EventFileError("bad NLEN") }
            raw += idat[(i + 5)..<(i + 5 + length)]
            i += 5 + length
            if flags & 1 == 1 { break }
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        let adler = UInt32(idat[i]) << 24 | UInt32(idat[i + 1]) << 16 | UInt32(idat[i + 2]) << 8 | UInt32(idat[i + 3])
        guard adler == b << 16 | a, i + 4 == idat.count else { throw EventFileError("bad Adler-32") }
        let stride = width * channels
        guard raw.count == height * (stride + 1) else { throw EventFileError("\(raw.count) bytes for \(width)x\(height)") }
        pixels = []
        for row in 0..<height {
            guard raw[row * (stride + 1)] == 0 else { throw EventFileError("filter \(raw[row * (stride + 1)])") }
            pixels += raw[(row * (stride + 1) + 1)..<((row + 1) * (stride + 1))]
        }
    }
}
