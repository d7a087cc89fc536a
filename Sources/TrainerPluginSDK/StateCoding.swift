/// Builds the bytes of a plugin's saved state: fixed-width little-endian numbers and
/// length-prefixed strings, read back in the same order by `StateReader`.
///
/// ```swift
/// func saveState() throws -> [UInt8] {
///     var writer = StateWriter(version: 1)
///     writer.write(best)
///     writer.write(wait)
///     return writer.bytes
/// }
///
/// func loadState(_ bytes: [UInt8]) throws {
///     var reader = try StateReader(bytes, version: 1)
///     best = try reader.readDouble()
///     wait = try reader.readInt()
///     try reader.finish()
/// }
/// ```
public struct StateWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Starts the bytes with the state format's version, which `StateReader(_:version:)` checks.
    public init(version: Int) {
        write(version)
    }

    public mutating func write(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        for value in values { write(value) }
    }

    /// Float32 values (weights, say): a count, then 4 little-endian bytes each.
    public mutating func write(_ values: [Float]) {
        write(values.count)
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    }
}

/// Reads bytes written by `StateWriter`, in the same order. Every read throws on truncated or
/// malformed input, so a damaged state file is an error, never a crash.
public struct StateReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the version `StateWriter(version:)` wrote; throws unless it is `version`.
    public init(_ bytes: [UInt8], version: Int) throws {
        self.bytes = bytes
        let found = try readInt()
        guard found == version else {
            throw PluginError("saved state has version \(found), expected \(version)")
        }
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// Throws unless every byte has been read.
    public func finish() throws {
        guard isAtEnd else { throw PluginError("saved state has trailing bytes") }
    }

    public mutating func readInt() throws -> Int {
        Int(Int64(bitPattern: try readUInt64()))
    }

    public mutating func readDouble() throws -> Double {
        Double(bitPattern: try readUInt64())
    }

    public mutating func readBool() throws -> Bool {
        let raw = try take(1).first!
        guard raw <= 1 else { throw PluginError("saved state: bad bool byte \(raw)") }
        return raw == 1
    }

    public mutating func readString() throws -> String {
        let count = try readCount()
        return String(decoding: try take(count), as: UTF8.self)
    }

    public mutating func readDoubles() throws -> [Double] {
        let count = try readCount()
        guard count <= (bytes.count - offset) / 8 else { throw truncated() }
        return try (0..<count).map { _ in try readDouble() }
    }

    public mutating func readFloats() throws -> [Float] {
        let count = try readCount()
        guard count <= (bytes.count - offset) / 4 else { throw truncated() }
        let raw = try take(count * 4)
        return (0..<count).map { i in
            let at = raw.startIndex + i * 4
            let bits = UInt32(raw[at]) | UInt32(raw[at + 1]) << 8 | UInt32(raw[at + 2]) << 16 | UInt32(raw[at + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    private mutating func readCount() throws -> Int {
        let count = try readInt()
        guard count >= 0, count <= bytes.count - offset else { throw truncated() }
        return count
    }

    private mutating func readUInt64() throws -> UInt64 {
        var value: UInt64 = 0
        for (i, byte) in try take(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        return value
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.count - offset else { throw truncated() }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private func truncated() -> PluginError {
        PluginError("saved state is truncated or damaged")
    }
}

// MARK: - Values logged per epoch

extension StateWriter {
    /// Writes values logged per epoch (the epochs, then each name in order with one value per
    /// epoch, nil for an epoch that did not log it), as History and LearningCurves keep them.
    public mutating func write(epochs: [Int], names: [String], series: [String: [Double?]]) {
        write(epochs.count)
        for epoch in epochs { write(epoch) }
        write(names.count)
        for name in names {
            write(name)
            for index in epochs.indices {
                let value = series[name].flatMap { index < $0.count ? $0[index] : nil }
                write(value != nil)
                write(value ?? 0)
            }
        }
    }
}

extension StateReader {
    /// Reads what `StateWriter.write(epochs:names:series:)` wrote; counts that could not fit in
    /// the bytes are refused as damage, never allocated.
    public mutating func readEpochSeries() throws -> (epochs: [Int], names: [String], series: [String: [Double?]]) {
        let limit = bytes.count / 8
        let count = try readInt()
        guard count >= 0, count <= limit else { throw PluginError("saved state is damaged") }
        let epochs = try (0..<count).map { _ in try readInt() }
        let nameCount = try readInt()
        guard nameCount >= 0, nameCount <= limit else { throw PluginError("saved state is damaged") }
        var names: [String] = []
        var series: [String: [Double?]] = [:]
        for _ in 0..<nameCount {
            let name = try readString()
            var values: [Double?] = []
            for _ in 0..<count {
                let present = try readBool()
                let value = try readDouble()
                values.append(present ? value : nil)
            }
            if series.updateValue(values, forKey: name) == nil { names.append(name) }
        }
        return (epochs, names, series)
    }
}
