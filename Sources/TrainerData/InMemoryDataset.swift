/// A data set held in memory: features as bytes (images) or Floats, targets as class indices
/// or Float values.
///
/// Byte features stay bytes (60000 grey 28×28 images take 47 MB, not 188 MB) and become
/// Floats, through a `ByteNormalization`, only as a batch is gathered. Slices and reshaped
/// views share the storage of the data set they come from; nothing is copied.
public final class InMemoryDataset: Dataset, @unchecked Sendable {
    /// Feature values to build a data set from.
    public enum FeatureValues {
        /// Bytes, converted per gathered batch as `value * scale + offset`.
        case bytes([UInt8], normalization: ByteNormalization = .unitInterval)
        case floats([Float])
    }

    /// Target values to build a data set from; one entry per sample for class indices.
    public enum TargetValues {
        case classes([Int32], classCount: Int)
        /// Float targets, `shape` per sample (`[]` for one value per sample).
        case values([Float], shape: [Int])
    }

    /// How the features are stored.
    public enum FeatureStorage: Sendable, Equatable {
        case bytes
        case floats
    }

    enum FeaturePointer {
        case bytes(UnsafePointer<UInt8>)
        case floats(UnsafePointer<Float>)
    }

    enum TargetPointer {
        case classes(UnsafePointer<Int32>)
        case values(UnsafePointer<Float>)
    }

    public let count: Int
    public let featureShape: [Int]
    public let targetShape: [Int]
    public let classCount: Int?
    /// How byte features become Floats (unused for Float features).
    public let normalization: ByteNormalization
    /// Where the data came from (the file name, or a description), for messages.
    public let source: String

    // Storage, kept alive by every view; the pointers start at this view's first sample.
    let featureOwner: OwnedBuffer
    let targetOwner: OwnedBuffer
    let featureData: FeaturePointer
    let targetData: TargetPointer
    let table: ByteLookupTable
    let featureCount: Int
    let targetCount: Int

    /// Builds a data set from values in memory (they are copied once).
    ///
    /// - Throws: `DataError` when the value counts do not match the shapes, the shapes are
    ///   not positive, or a class index is outside `0 ..< classCount`.
    public convenience init(features: FeatureValues, featureShape: [Int], targets: TargetValues,
                            source: String = "in-memory data") throws {
        try Self.checkShape(featureShape, what: "feature shape", source: source)
        let featureSize = featureShape.reduce(1, *)
        let sampleCount: Int
        let targetOwner: OwnedBuffer
        let targetPointer: TargetPointer
        let targetShape: [Int]
        let classCount: Int?
        switch targets {
        case let .classes(labels, count):
            guard count >= 1 else {
                throw DataError(.invalidRequest, file: source, "class count must be at least 1, not \(count)")
            }
            if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= count }) {
                throw DataError(.badLabel, file: source,
                                "label \(labels[bad]) of sample \(bad) is outside 0..<\(count)")
            }
            sampleCount = labels.count
            targetOwner = OwnedBuffer(copying: labels)
            targetPointer = .classes(targetOwner.pointer(to: Int32.self, count: labels.count))
            targetShape = []
            classCount = count
        case let .values(values, shape):
            try Self.checkShape(shape, what: "target shape", source: source)
            let targetSize = shape.reduce(1, *)
            guard values.count % targetSize == 0 else {
                throw DataError(.sizeMismatch, file: source,
                                "\(values.count) target values do not divide into samples of shape \(shape)")
            }
            sampleCount = values.count / targetSize
            targetOwner = OwnedBuffer(copying: values)
            targetPointer = .values(targetOwner.pointer(to: Float.self, count: values.count))
            targetShape = shape
            classCount = nil
        }
        let featureOwner: OwnedBuffer
        let featurePointer: FeaturePointer
        let normalization: ByteNormalization
        let valueCount: Int
        switch features {
        case let .bytes(bytes, norm):
            valueCount = bytes.count
            featureOwner = OwnedBuffer(copying: bytes)
            featurePointer = .bytes(UnsafePointer(featureOwner.pointer(to: UInt8.self, count: bytes.count)))
            normalization = norm
        case let .floats(floats):
            valueCount = floats.count
            featureOwner = OwnedBuffer(copying: floats)
            featurePointer = .floats(UnsafePointer(featureOwner.pointer(to: Float.self, count: floats.count)))
            normalization = .unitInterval
        }
        guard valueCount == sampleCount * featureSize else {
            throw DataError(.countMismatch, file: source,
                            "\(valueCount) feature values are not \(sampleCount) samples of shape \(featureShape)")
        }
        self.init(count: sampleCount, featureShape: featureShape, targetShape: targetShape,
                  classCount: classCount, normalization: normalization, source: source,
                  featureOwner: featureOwner, features: featurePointer,
                  targetOwner: targetOwner, targets: targetPointer, table: nil)
    }

    /// The designated initializer: adopts storage that loaders have filled.
    init(count: Int, featureShape: [Int], targetShape: [Int], classCount: Int?,
         normalization: ByteNormalization, source: String,
         featureOwner: OwnedBuffer, features: FeaturePointer,
         targetOwner: OwnedBuffer, targets: TargetPointer, table: ByteLookupTable?) {
        self.count = count
        self.featureShape = featureShape
        self.targetShape = targetShape
        self.classCount = classCount
        self.normalization = normalization
        self.source = source
        self.featureOwner = featureOwner
        self.targetOwner = targetOwner
        self.featureData = features
        self.targetData = targets
        self.table = table ?? ByteLookupTable(normalization)
        self.featureCount = featureShape.reduce(1, *)
        self.targetCount = targetShape.reduce(1, *)
    }

    static func checkShape(_ shape: [Int], what: String, source: String) throws {
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw DataError(.invalidRequest, file: source, "\(what) \(shape) has a dimension that is not positive")
        }
    }

    /// How the features are stored.
    public var featureStorage: FeatureStorage {
        switch featureData {
        case .bytes: return .bytes
        case .floats: return .floats
        }
    }

    public func gather(_ indices: UnsafeBufferPointer<Int>, features output: UnsafeMutablePointer<Float>,
                       targets targetOutput: UnsafeMutablePointer<Float>) {
        let sampleCount = UInt(bitPattern: count)
        let size = featureCount
        var destination = output
        switch featureData {
        case let .bytes(base):
            let lookup = UnsafePointer(table.values)
            for index in indices {
                precondition(UInt(bitPattern: index) < sampleCount, "sample index \(index) out of range")
                let source = base + index &* size
                for j in 0 ..< size {
                    destination[j] = lookup[Int(source[j])]
                }
                destination += size
            }
        case let .floats(base):
            for index in indices {
                precondition(UInt(bitPattern: index) < sampleCount, "sample index \(index) out of range")
                destination.update(from: base + index &* size, count: size)
                destination += size
            }
        }
        switch targetData {
        case let .classes(labels):
            var target = targetOutput
            for index in indices {
                target.pointee = Float(labels[index])
                target += 1
            }
        case let .values(values):
            let targetSize = targetCount
            var target = targetOutput
            for index in indices {
                target.update(from: values + index &* targetSize, count: targetSize)
                target += targetSize
            }
        }
    }

    // MARK: Reading single samples (for inspection and tests; these allocate)

    /// The features of sample `index`, as the model sees them.
    public func features(at index: Int) -> [Float] {
        var result = [Float](repeating: 0, count: featureCount)
        var target = [Float](repeating: 0, count: targetCount)
        withUnsafePointer(to: index) { pointer in
            result.withUnsafeMutableBufferPointer { out in
                target.withUnsafeMutableBufferPointer { targetOut in
                    gather(UnsafeBufferPointer(start: pointer, count: 1),
                           features: out.baseAddress!, targets: targetOut.baseAddress!)
                }
            }
        }
        return result
    }

    /// The target of sample `index` (a class index as its value).
    public func target(at index: Int) -> [Float] {
        precondition(index >= 0 && index < count, "sample index \(index) out of range")
        switch targetData {
        case let .classes(labels): return [Float(labels[index])]
        case let .values(values):
            return Array(UnsafeBufferPointer(start: values + index * targetCount, count: targetCount))
        }
    }

    /// The class index of sample `index`, or nil when targets are not class indices.
    public func classLabel(at index: Int) -> Int? {
        precondition(index >= 0 && index < count, "sample index \(index) out of range")
        if case let .classes(labels) = targetData { return Int(labels[index]) }
        return nil
    }
}
