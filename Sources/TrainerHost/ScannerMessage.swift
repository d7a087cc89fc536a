import Foundation

/// One message of the plugin scanner to the process that started it. For each file, in the
/// order it was given: `starting`, then a `stage` before each step, then `answer`. When the
/// scanner dies or stops answering, the last `starting` and `stage` say which file, and
/// where in it.
///
/// On the wire (the scanner's file descriptor 3, nothing else): each message is a frame of a
/// 4-byte little-endian length, then that many bytes of JSON (`ScanJSON`).
enum ScannerMessage: Codable, Equatable {
    case starting(path: String)
    case stage(ScanStage)
    case answer(path: String, result: ScanResult)

    /// The largest frame either side accepts; longer is garbage (a descriptor of 256 long
    /// parameters stays far below it).
    static let maximumFrameLength = 4 << 20

    /// The message as one frame.
    func frame() throws -> [UInt8] {
        let json = try ScanJSON.encoder().encode(self)
        let length = UInt32(json.count)
        return [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
            + [UInt8](json)
    }
}

/// Cuts the scanner's byte stream into messages. Bytes arrive in any pieces; a frame too long,
/// or JSON that is not a message, is garbage.
struct ScannerFrameReader {
    struct Garbage: Error, CustomStringConvertible {
        var description: String
    }

    private var buffer: [UInt8] = []

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, or nil until more bytes arrive.
    mutating func next() throws -> ScannerMessage? {
        guard buffer.count >= 4 else { return nil }
        let length = Int(buffer[0]) | Int(buffer[1]) << 8 | Int(buffer[2]) << 16 | Int(buffer[3]) << 24
        guard length <= ScannerMessage.maximumFrameLength else {
            throw Garbage(description: "a frame of \(length) bytes")
        }
        guard buffer.count >= 4 + length else { return nil }
        let json = Data(buffer[4..<(4 + length)])
        buffer.removeFirst(4 + length)
        do {
            return try ScanJSON.decoder().decode(ScannerMessage.self, from: json)
        } catch {
            throw Garbage(description: "\(length) bytes that are not a message")
        }
    }

    /// Bytes received that do not make a whole frame yet.
    var pendingByteCount: Int { buffer.count }
}

/// The JSON the scanner answers in and the registry cache is written in. Doubles that JSON
/// has no number for (a bound of infinity) are the strings "inf", "-inf" and "nan".
enum ScanJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Whether two descriptors say the same, NaN defaults included.
    static func same(_ a: PluginDescriptor, _ b: PluginDescriptor) -> Bool {
        let encoder = encoder()
        return (try? encoder.encode(a)) == (try? encoder.encode(b))
    }
}
