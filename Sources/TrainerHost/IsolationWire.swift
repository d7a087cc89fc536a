import Foundation

/// The bytes of the plugin-host protocol (`IsolationMessage`): each message is a frame of a
/// 4-byte little-endian length, then that many bytes: a kind byte and the message's fields.
/// Fields are fixed-size little-endian numbers, and strings and byte strings as a 4-byte length
/// and their bytes. No JSON per call: a hook call is its hook, index and (name id, value) pairs.
enum IsolationWire {
    /// The largest frame either side accepts: a plugin's saved state fits many times over.
    static let maximumFrameLength = 64 << 20
}

/// Builds frames into one reused buffer: `begin`, the fields, `end`. Nothing is allocated once
/// the buffer has grown to the largest frame sent.
struct WireWriter {
    private(set) var bytes: [UInt8] = []
    private var frameStart = 0

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Forgets what was written, keeping the capacity.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func begin(_ kind: UInt8) {
        frameStart = bytes.count
        u32(0)
        u8(kind)
    }

    /// Fills in the length of the frame begun last.
    mutating func end() {
        let length = UInt32(bytes.count - frameStart - 4)
        for i in 0..<4 { bytes[frameStart + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i))) }
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func u32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func u64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    mutating func f64(_ value: Double) { u64(value.bitPattern) }
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { raw($0) }
    }
    /// A C string's bytes, without its NUL.
    mutating func cString(_ value: UnsafePointer<CChar>) {
        raw(UnsafeRawBufferPointer(start: value, count: strlen(value)))
    }
    mutating func data(_ value: [UInt8]) { value.withUnsafeBytes { raw($0) } }
    /// A count, then `count` float32 values (little-endian, as this machine holds them).
    mutating func floats(_ value: UnsafeBufferPointer<Float>) {
        u32(UInt32(value.count))
        bytes.append(contentsOf: UnsafeRawBufferPointer(value))
    }
    mutating func floats(_ value: [Float]) { value.withUnsafeBufferPointer { floats($0) } }
    mutating func raw<C: Collection>(_ value: C) where C.Element == UInt8 {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }
}

/// Reads the fields of one frame's body, each read checked against what is left: a frame too
/// short for what its kind says is garbage, never a read past its end.
struct WireReader {
    private let body: [UInt8]
    private var offset: Int

    init(_ body: [UInt8]) {
        self.body = body
        offset = 0
    }

    var isAtEnd: Bool { offset == body.count }

    private mutating func take(_ count: Int, _ what: StaticString) throws -> Int {
        guard count >= 0, count <= body.count - offset else {
            throw IsolationGarbage("a frame too short for its \(what)")
        }
        defer { offset += count }
        return offset
    }

    mutating func u8() throws -> UInt8 { body[try take(1, "fields")] }
    mutating func bool() throws -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw IsolationGarbage("a flag of \(other)")
        }
    }
    mutating func u32() throws -> UInt32 {
        let at = try take(4, "fields")
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(body[at + i]) << (8 * UInt32(i)) }
        return value
    }
    mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
    mutating func u64() throws -> UInt64 {
        let at = try take(8, "fields")
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(body[at + i]) << (8 * UInt64(i)) }
        return value
    }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    mutating func data() throws -> [UInt8] {
        let count = Int(try u32())
        let at = try take(count, "byte string")
        return Array(body[at..<(at + count)])
    }
    mutating func floats() throws -> [Float] {
        let count = try self.count(itemSize: 4)
        let at = try take(count * 4, "floats")
        return body.withUnsafeBytes { raw in
            Array(UnsafeRawBufferPointer(rebasing: raw[at..<(at + count * 4)]).bindMemory(to: Float.self))
        }
    }
    mutating func string() throws -> String {
        let bytes = try data()
        guard let text = String(validating: bytes, as: UTF8.self), !text.utf8.contains(0) else {
            throw IsolationGarbage("a string that is not UTF-8 text")
        }
        return text
    }
    /// A count of items of at least `itemSize` bytes each: never more than the frame can hold.
    mutating func count(itemSize: Int) throws -> Int {
        let count = Int(try u32())
        guard count <= (body.count - offset) / max(itemSize, 1) else {
            throw IsolationGarbage("a count of \(count) in a frame too short for it")
        }
        return count
    }
}

/// Bytes that are not a message of the protocol: the other side is broken.
struct IsolationGarbage: Error, CustomStringConvertible, Equatable {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Cuts a byte stream into frame bodies. Bytes arrive in any pieces; a length over
/// `IsolationWire.maximumFrameLength` or an empty frame is garbage.
struct WireFrameReader {
    private var buffer: [UInt8] = []
    private var start = 0

    init() { buffer.reserveCapacity(4096) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame's body (kind byte first), or nil until more bytes arrive.
    mutating func next() throws -> [UInt8]? {
        guard buffer.count - start >= 4 else { return nil }
        var length = 0
        for i in 0..<4 { length |= Int(buffer[start + i]) << (8 * i) }
        guard length >= 1, length <= IsolationWire.maximumFrameLength else {
            throw IsolationGarbage("a frame of \(length) bytes")
        }
        guard buffer.count - start - 4 >= length else { return nil }
        let body = Array(buffer[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return body
    }

    /// Bytes received that do not make a whole frame yet.
    var pendingByteCount: Int { buffer.count - start }
}
