import Foundation

/// Writes predictions as NumPy `.npy` (float32, C order) or CSV, atomically.
enum PredictionFile {
    enum Format {
        case npy, csv

        init(path: String) throws {
            switch (path as NSString).pathExtension.lowercased() {
            case "npy": self = .npy
            case "csv": self = .csv
            default: throw UsageProblem("--output \(path): name a .npy or .csv file")
            }
        }
    }

    static func write(_ values: [Float], shape: [Int], format: Format, to path: String) throws {
        let data: Data
        switch format {
        case .npy: data = npy(values, shape: shape)
        case .csv: data = csv(values, columns: shape.dropFirst().reduce(1, *))
        }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// NumPy format 1.0: magic, version, header length, a Python dict literal padded so the
    /// data starts at a multiple of 64 bytes, then the little-endian floats.
    static func npy(_ values: [Float], shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    static func csv(_ values: [Float], columns: Int) -> Data {
        var text = ""
        text.reserveCapacity(values.count * 12)
        for row in 0..<(values.count / max(columns, 1)) {
            text += values[(row * columns)..<((row + 1) * columns)].map { "\($0)" }.joined(separator: ",")
            text += "\n"
        }
        return Data(text.utf8)
    }
}
