import CTrainerPlugin
import Foundation

/// What `FakeHost`'s save_weights writes.
public enum WeightFileFormat {
    /// A real safetensors file of the weights (header length, JSON header, float32 values),
    /// which load_weights reads back as the real host does: every weight by name, shapes
    /// checked.
    case safetensors
    /// A small text file "epoch N" holding `FakeHost.epoch`, so a test can tell which epoch a
    /// checkpoint file holds. load_weights cannot read it.
    case epochMarker
}

/// save_weights and load_weights. Every file written is recorded in `savedWeightFiles`.
extension FakeHost {
    /// `savedWeightFiles`, relative to `directory` where they are inside it.
    public func savedWeightFiles(relativeTo directory: String) -> [String] {
        savedWeightFiles.map { $0.hasPrefix(directory + "/") ? String($0.dropFirst(directory.count + 1)) : $0 }
    }

    func saveWeights(to path: String, error errorBuffer: UnsafeMutablePointer<CChar>?, size: Int) -> trainer_status_t {
        if let saveWeightsFailure { return fail(saveWeightsFailure, errorBuffer, size) }
        let contents: Data
        switch weightFileFormat {
        case .safetensors: contents = safetensors()
        case .epochMarker: contents = Data("epoch \(epoch)".utf8)
        }
        do { try contents.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            return fail("cannot write \(path)", errorBuffer, size)
        }
        savedWeightFiles.append(path)
        return statusOK
    }

    private func safetensors() -> Data {
        var header = "{"
        var offset = 0
        for (i, weight) in weights.enumerated() {
            let end = offset + weight.values.count * 4
            header += (i == 0 ? "" : ",")
                + "\"\(weight.name)\":{\"dtype\":\"F32\",\"shape\":\(weight.shape),\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var file = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: Array(header.utf8))
        for weight in weights { weight.values.withUnsafeBytes { file.append(contentsOf: $0) } }
        return file
    }

    func loadWeights(from path: String, error: UnsafeMutablePointer<CChar>?, size: Int) -> trainer_status_t {
        guard let file = FileManager.default.contents(atPath: path), file.count >= 8 else {
            return fail("cannot read \(path)", error, size)
        }
        let bytes = [UInt8](file)
        let headerLength = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        guard 8 + headerLength <= bytes.count,
              let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any]
        else { return fail("\(path): bad header", error, size) }
        let body = 8 + headerLength
        var values: [[Float]] = []
        for weight in weights {
            guard let entry = header[weight.name] as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], shape.map(Int64.init) == weight.shape,
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  body + offsets[1] <= bytes.count, offsets[1] - offsets[0] == shape.reduce(1, *) * 4
            else { return fail("\(path): tensor \(weight.name) is missing or has the wrong shape", error, size) }
            let raw = Array(bytes[(body + offsets[0])..<(body + offsets[1])])
            values.append(raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        }
        setWeightValues(values)
        return statusOK
    }
}
