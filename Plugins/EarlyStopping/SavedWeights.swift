import TrainerPluginSDK
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A copy of the model's weights that travels inside the plugin's saved state, so that a
/// resumed run can still restore the best epoch's weights (a host snapshot lives in memory
/// only). Captured from a host snapshot and turned back into one, without changing the
/// weights the model holds.
struct SavedWeights: Equatable {
    struct Tensor: Equatable {
        var name: String
        var shape: [Int]
        var values: [Float]
    }

    var tensors: [Tensor]

    /// The weights of `snapshot`: the current weights are snapshotted, `snapshot` is put in and
    /// read, and the current weights are put back.
    static func capture(_ snapshot: WeightSnapshot, host: Host) throws -> SavedWeights {
        guard let current = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights to save the best ones")
        }
        defer { host.releaseSnapshot(current) }
        try host.restoreWeights(snapshot)
        let read = Result { try host.weights().map { Tensor(name: $0.name, shape: $0.shape, values: $0.copyData()) } }
        try host.restoreWeights(current)
        return SavedWeights(tensors: try read.get())
    }

    /// A host snapshot holding these weights: set from memory through "trainer.weights/1",
    /// snapshotted, and the model's current weights put back. A host without that extension
    /// loads weights only from a file: see `snapshotThroughFile`.
    func snapshot(host: Host, directory: String) throws -> WeightSnapshot {
        let names = try host.weights().map(\.name)
        guard names == tensors.map(\.name) else {
            throw PluginError("the saved best weights \(tensors.map(\.name)) do not match the model's \(names)")
        }
        guard let current = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights")
        }
        defer { host.releaseSnapshot(current) }
        do {
            try host.setWeights(tensors.map(\.values))
        } catch let error as HostError where error.message.contains("trainer.weights/1") {
            return try snapshotThroughFile(host: host, directory: directory)
        }
        let made = host.snapshotWeights()
        try host.restoreWeights(current)
        guard let made else { throw PluginError("the host could not snapshot the weights") }
        return made
    }

    /// The same through a temporary safetensors file in `directory` (removed afterwards).
    func snapshotThroughFile(host: Host, directory: String) throws -> WeightSnapshot {
        let folder = directory.isEmpty ? "/tmp" : directory
        var template = Array((folder + "/.EarlyStopping-best-weights-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw PluginError("cannot create a temporary file in \(folder)") }
        close(fd)
        let path = String(cString: template)
        defer { unlink(path) }
        try writeFileAtomically(safetensors(), to: path)

        guard let current = host.snapshotWeights() else {
            throw PluginError("the host could not snapshot the weights")
        }
        defer { host.releaseSnapshot(current) }
        let loaded = Result { () throws -> WeightSnapshot in
            try host.loadWeights(from: path)
            guard let snapshot = host.snapshotWeights() else { throw PluginError("the host could not snapshot the weights") }
            return snapshot
        }
        try host.restoreWeights(current)
        return try loaded.get()
    }

    /// The tensors as a safetensors file: 8-byte little-endian header length, a JSON header
    /// padded with spaces to 8 bytes, then the float32 values.
    func safetensors() -> [UInt8] {
        var header = "{"
        var offset = 0
        for (index, tensor) in tensors.enumerated() {
            let end = offset + tensor.values.count * 4
            header += (index == 0 ? "" : ",") + jsonString(tensor.name)
                + ":{\"dtype\":\"F32\",\"shape\":[" + tensor.shape.map(String.init).joined(separator: ",")
                + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        appendLittleEndian(UInt64(headerBytes.count), to: &bytes)
        bytes.append(contentsOf: headerBytes)
        for tensor in tensors {
            for value in tensor.values { appendLittleEndian(value.bitPattern, to: &bytes) }
        }
        return bytes
    }

    // MARK: - In the saved state

    /// Names and shapes through `writer`; the values, as little-endian float32, go to `raw`.
    func write(to writer: inout StateWriter, raw: inout [UInt8]) {
        writer.write(tensors.count)
        for tensor in tensors {
            writer.write(tensor.name)
            writer.write(tensor.shape.count)
            for extent in tensor.shape { writer.write(extent) }
        }
        for tensor in tensors {
            for value in tensor.values { appendLittleEndian(value.bitPattern, to: &raw) }
        }
    }

    /// Reads what `write` wrote: names and shapes from `reader`, values from `raw`, which must
    /// hold exactly as many as the shapes ask for.
    static func read(from reader: inout StateReader, raw: ArraySlice<UInt8>) throws -> SavedWeights {
        let count = try reader.readInt()
        guard count >= 0, count <= raw.count + 1_000_000 else { throw damaged() }
        var shapes: [(String, [Int])] = []
        for _ in 0..<count {
            let name = try reader.readString()
            let rank = try reader.readInt()
            guard rank >= 0, rank <= 16 else { throw damaged() }
            let shape = try (0..<rank).map { _ in try reader.readInt() }
            guard shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else { throw damaged() }
            shapes.append((name, shape))
        }
        var offset = raw.startIndex
        var tensors: [Tensor] = []
        for (name, shape) in shapes {
            let (elements, overflow) = shape.reduce((1, false)) { acc, extent in
                let product = acc.0.multipliedReportingOverflow(by: extent)
                return (product.partialValue, acc.1 || product.overflow)
            }
            guard !overflow, elements <= (raw.endIndex - offset) / 4 else { throw damaged() }
            var values = [Float](repeating: 0, count: elements)
            for i in 0..<elements {
                var bits: UInt32 = 0
                for b in 0..<4 { bits |= UInt32(raw[offset + 4 * i + b]) << (8 * UInt32(b)) }
                values[i] = Float(bitPattern: bits)
            }
            offset += elements * 4
            tensors.append(Tensor(name: name, shape: shape, values: values))
        }
        guard offset == raw.endIndex else { throw damaged() }
        return SavedWeights(tensors: tensors)
    }

    private static func damaged() -> PluginError {
        PluginError("saved state: the best weights are truncated or damaged")
    }
}

private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

private func jsonString(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
