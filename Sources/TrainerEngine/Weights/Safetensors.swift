import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data
/// that follows the header) plus an optional `__metadata__` object of strings, then the
/// tensors' little-endian bytes. Only F32 tensors are written and read here.
public enum Safetensors {
    /// One tensor to write: its values are read during the call only.
    public struct TensorSource {
        public let name: String
        public let shape: [Int]
        public let data: UnsafePointer<Float>
        public let count: Int
        public init(name: String, shape: [Int], data: UnsafePointer<Float>, count: Int) {
            self.name = name
            self.shape = shape
            self.data = data
            self.count = count
        }
    }

    /// One tensor read from a file.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let values: [Float]
    }

    /// Writes `tensors` (in order) and `metadata` to `path`: first to a temporary file in the
    /// same directory, then renamed over `path`, so a crash never leaves half a file.
    public static func write(_ tensors: [TensorSource], metadata: [String: String] = [:], to path: String) throws {
        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            header += metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
                .joined(separator: ",")
            header += "}"
            first = false
        }
        var offset = 0
        for t in tensors {
            guard t.shape.reduce(1, *) == t.count else {
                throw SafetensorsError(path: path, message: "tensor '\(t.name)' has shape \(t.shape) but \(t.count) values")
            }
            if !first { header += "," }
            first = false
            let end = offset + t.count * 4
            header += "\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var file = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(contentsOf: headerBytes)
        for t in tensors {
            #if _endian(little)
            file.append(UnsafeBufferPointer(start: t.data, count: t.count))
            #else
            for i in 0..<t.count {
                var bits = t.data[i].bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { file.append(contentsOf: $0) }
            }
            #endif
        }
        try AtomicFile.write(file, to: path)
    }

    /// Reads every tensor and the metadata of the file at `path`.
    public static func read(from path: String) throws -> (tensors: [Tensor], metadata: [String: String]) {
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(path: path, message: message) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw fail("cannot read the file: \(error.localizedDescription)")
        }
        return try parse(data, path: path)
    }

    /// Every tensor and the metadata of safetensors data `data`, read from `path` (named in errors).
    static func parse(_ data: Data, path: String) throws -> (tensors: [Tensor], metadata: [String: String]) {
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(path: path, message: message) }
        guard data.count >= 8 else { throw fail("file too short (\(data.count) bytes) for a safetensors header") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes): truncated or not safetensors")
        }
        let dataStart = 8 + Int(headerLength)
        let headerData = data.subdata(in: 8 ..< dataStart)
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let object = json as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let meta = object["__metadata__"] {
            guard let dict = meta as? [String: Any] else { throw fail("__metadata__ is not an object") }
            for (k, v) in dict {
                guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                metadata[k] = s
            }
        }
        let bodyLength = data.count - dataStart
        // Every entry is checked (shape, offsets, sizes, no two sharing bytes) before any
        // tensor is read, so what is allocated is at most the file's own size.
        var entries: [(name: String, shape: [Int], begin: Int, count: Int)] = []
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any] else { throw fail("tensor '\(name)': entry is not an object") }
            guard let dtype = entry["dtype"] as? String else { throw fail("tensor '\(name)': missing dtype") }
            guard dtype == "F32" else { throw fail("tensor '\(name)': dtype \(dtype) is not supported (only F32)") }
            guard let shapeValues = entry["shape"] as? [Any],
                  let shape = intArray(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(name)': shape is not a list of non-negative integers")
            }
            guard let offsetValues = entry["data_offsets"] as? [Any], let offsets = intArray(offsetValues),
                  offsets.count == 2 else {
                throw fail("tensor '\(name)': data_offsets is not [begin, end]")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= bodyLength else {
                throw fail("tensor '\(name)': data [\(begin), \(end)) lies outside the \(bodyLength) data bytes (truncated file?)")
            }
            var count = 1
            var overflow = false
            for extent in shape {
                let product = count.multipliedReportingOverflow(by: extent)
                overflow = overflow || product.overflow
                count = product.partialValue
            }
            let bytes = count.multipliedReportingOverflow(by: 4)
            guard !overflow, !bytes.overflow else {
                throw fail("tensor '\(name)': shape \(shape) needs more bytes than can be addressed "
                           + "(its data_offsets give \(end - begin))")
            }
            guard end - begin == bytes.partialValue else {
                throw fail("tensor '\(name)': \(end - begin) bytes of data for shape \(shape) (\(bytes.partialValue) expected)")
            }
            entries.append((name, shape, begin, count))
        }
        entries.sort { ($0.begin, $0.count) < ($1.begin, $1.count) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.begin + previous.count * 4 {
            throw fail("tensors '\(previous.name)' and '\(next.name)' share data bytes (their data_offsets overlap)")
        }
        var tensors: [(begin: Int, tensor: Tensor)] = []
        for entry in entries {
            var values = [Float](repeating: 0, count: entry.count)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + dataStart + entry.begin
                for i in 0..<entry.count {
                    values[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            }
            tensors.append((entry.begin, Tensor(name: entry.name, shape: entry.shape, values: values)))
        }
        return (tensors.sorted { $0.begin < $1.begin }.map(\.tensor), metadata)
    }

    private static func intArray(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d == d.rounded(), abs(d) < 9e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }

    /// `s` as a JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A safetensors file that cannot be written or read, or does not fit the model.
public struct SafetensorsError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
