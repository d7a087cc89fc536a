import Foundation
import TrainerData

/// Samples without targets, for `predict`: features only, held as Floats.
final class UnlabeledDataset: Dataset {
    let features: [Float]
    let count: Int
    let featureShape: [Int]
    let targetShape: [Int] = [0]
    let classCount: Int? = nil

    init(features: [Float], count: Int, featureShape: [Int]) {
        self.features = features
        self.count = count
        self.featureShape = featureShape
    }

    /// Reads an array file (`.npy`, or IDX with or without `.gz`) whose first axis counts
    /// samples. Bytes (images) are multiplied by `rescale`, as in training.
    static func load(_ path: String, rescale: Double) throws -> UnlabeledDataset {
        let array: NumericArray
        switch DataFormat(inferringFrom: path) {
        case .npy?: array = try NPYFile.read(path)
        case .csv?: throw DataError(.unsupported, file: path, "predict reads .npy or IDX files, not CSV")
        default: array = try IDXFile.read(path)
        }
        guard array.shape.count >= 2, array.shape[0] > 0 else {
            throw DataError(.invalidRequest, file: path, "expected an array of samples ([samples, ...]), got shape \(array.shape)")
        }
        var values = array.floats()
        if array.elementType == .uint8 {
            // As the training data's bytes: each value rounded once from double precision.
            let normalization = ByteNormalization(scale: rescale)
            for i in values.indices { values[i] = normalization.apply(UInt8(values[i])) }
        }
        return UnlabeledDataset(features: values, count: array.shape[0], featureShape: Array(array.shape.dropFirst()))
    }

    /// The same samples with the model's input shape (e.g. [28, 28] as [28, 28, 1]).
    func viewed(as shape: [Int], source: String) throws -> UnlabeledDataset {
        guard shape.reduce(1, *) == featureSize else {
            throw DataError(.invalidRequest, file: source,
                            "samples of shape \(featureShape) do not fit the model's input \(shape)")
        }
        return UnlabeledDataset(features: features, count: count, featureShape: shape)
    }

    func gather(_ indices: UnsafeBufferPointer<Int>, features output: UnsafeMutablePointer<Float>,
                targets: UnsafeMutablePointer<Float>) {
        let size = featureSize
        features.withUnsafeBufferPointer { all in
            for (row, index) in indices.enumerated() {
                (output + row * size).update(from: all.baseAddress! + index * size, count: size)
            }
        }
    }
}
