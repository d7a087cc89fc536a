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
