import Foundation

/// What a check's child process (`trainer validate-check`) tells the validator, on its file
/// descriptor 3, in the scanner's framing (a 4-byte little-endian length, then JSON): where it
/// is before each call into the plugin, then the verdict.
enum CheckMessage: Codable, Equatable {
    /// About to call into the plugin: "on_epoch_end (epoch 0) with NaN logs".
    case calling(String)
    /// The check's verdict, once the plugin is destroyed.
    case verdict(status: CheckStatus, reason: String)

    func frame() throws -> [UInt8] {
        let json = try ScanJSON.encoder().encode(self)
        let length = UInt32(json.count)
        return [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
            + [UInt8](json)
    }
}

/// Cuts a check's byte stream into messages; a frame too long or not a message is garbage.
struct CheckFrameReader {
    struct Garbage: Error, CustomStringConvertible {
        var description: String
    }

    private var buffer: [UInt8] = []

    mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

    mutating func next() throws -> CheckMessage? {
        guard buffer.count >= 4 else { return nil }
        let length = Int(buffer[0]) | Int(buffer[1]) << 8 | Int(buffer[2]) << 16 | Int(buffer[3]) << 24
        guard length <= ScannerMessage.maximumFrameLength else { throw Garbage(description: "a frame of \(length) bytes") }
        guard buffer.count >= 4 + length else { return nil }
        let json = Data(buffer[4..<(4 + length)])
        buffer.removeFirst(4 + length)
        do {
            return try ScanJSON.decoder().decode(CheckMessage.self, from: json)
        } catch {
            throw Garbage(description: "\(length) bytes that are not a message")
        }
    }
}
