/// Building a data set from a features array and a labels array read from files.
extension InMemoryDataset {
    /// A data set whose samples are the first axis of `features` and `labels`.
    ///
    /// Byte features are kept as bytes (no copy) and converted by `normalization` per batch;
    /// other features become Floats. Labels are read as `targets` says: class indices from a
    /// `[n]` or `[n, 1]` array of whole numbers, or Float values of shape `labels.shape[1...]`.
    ///
    /// - Throws: `DataError` naming the file at fault when either array has no sample axis or
    ///   no samples, the sample counts differ, or a class label is negative, not a whole number,
    ///   or not below the class count.
    public convenience init(features: NumericArray, labels: NumericArray, targets: TargetKind,
                            normalization: ByteNormalization = .unitInterval) throws {
        guard let count = features.shape.first else {
            throw DataError(.invalidRequest, file: features.source,
                            "features must have a sample axis; the array is a scalar")
        }
        guard count > 0 else {
            throw DataError(.empty, file: features.source, "the file holds no samples")
        }
        guard let labelCount = labels.shape.first else {
            throw DataError(.invalidRequest, file: labels.source,
                            "labels must have a sample axis; the array is a scalar")
        }
        guard labelCount == count else {
            throw DataError(.countMismatch, file: labels.source,
                            "\(labelCount) labels for \(count) samples in \(features.source)")
        }
        let featureShape = Array(features.shape.dropFirst())
        try Self.checkShape(featureShape, what: "feature shape", source: features.source)
        let featureSize = featureShape.reduce(1, *)

        let featureOwner: OwnedBuffer
        let featurePointer: FeaturePointer
        switch features.elementType {
        case .uint8:
            featureOwner = features.storage
            featurePointer = .bytes(UnsafePointer(features.storage.pointer(
                to: UInt8.self, byteOffset: features.byteOffset, count: count * featureSize)))
        case .float32:
            featureOwner = features.storage
            featurePointer = .floats(UnsafePointer(features.storage.pointer(
                to: Float.self, byteOffset: features.byteOffset, count: count * featureSize)))
        case .int64:
            let n = count * featureSize
            let source = features.storage.pointer(to: Int64.self, byteOffset: features.byteOffset, count: n)
            featureOwner = OwnedBuffer(capacity: n * MemoryLayout<Float>.stride)
            let output = featureOwner.pointer(to: Float.self, count: n)
            for i in 0 ..< n { output[i] = Float(source[i]) }
            featurePointer = .floats(UnsafePointer(output))
        }

        let (targetOwner, targetPointer, targetShape, classCount) = try Self.readTargets(labels, count: count, kind: targets)
        self.init(count: count, featureShape: featureShape, targetShape: targetShape,
                  classCount: classCount, normalization: normalization, source: features.source,
                  featureOwner: featureOwner, features: featurePointer,
                  targetOwner: targetOwner, targets: targetPointer, table: nil)
    }

    private static func readTargets(_ labels: NumericArray, count: Int, kind: TargetKind) throws
        -> (OwnedBuffer, TargetPointer, [Int], Int?) {
        let elements = labels.count
        let file = labels.source
        switch kind {
        case let .classes(declared):
            guard labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[1] == 1) else {
                throw DataError(.invalidRequest, file: file,
                                "class labels must have shape [\(count)] or [\(count), 1], not \(labels.shape)")
            }
            if let declared, declared < 1 {
                throw DataError(.invalidRequest, file: file, "class count must be at least 1, not \(declared)")
            }
            let limit = Int64(declared ?? Int(Int32.max))
            let owner = OwnedBuffer(capacity: elements * MemoryLayout<Int32>.stride)
            let output = owner.pointer(to: Int32.self, count: elements)
            var largest: Int64 = -1
            func bad(_ index: Int, _ text: String) -> DataError {
                if let declared {
                    return DataError(.badLabel, file: file,
                                     "label \(text) of sample \(index) is outside 0..<\(declared) (the number of classes)")
                }
                return DataError(.badLabel, file: file, "label \(text) of sample \(index) is not a class index")
            }
            switch labels.elementType {
            case .uint8:
                let input = labels.storage.pointer(to: UInt8.self, byteOffset: labels.byteOffset, count: elements)
                for i in 0 ..< elements {
                    let value = Int64(input[i])
                    if value >= limit { throw bad(i, "\(value)") }
                    largest = max(largest, value)
                    output[i] = Int32(value)
                }
            case .int64:
                let input = labels.storage.pointer(to: Int64.self, byteOffset: labels.byteOffset, count: elements)
                for i in 0 ..< elements {
                    let value = input[i]
                    if value < 0 || value >= limit { throw bad(i, "\(value)") }
                    largest = max(largest, value)
                    output[i] = Int32(value)
                }
            case .float32:
                let input = labels.storage.pointer(to: Float.self, byteOffset: labels.byteOffset, count: elements)
                for i in 0 ..< elements {
                    let value = input[i]
                    guard value >= 0, value < Float(limit), value.rounded(.towardZero) == value else {
                        let text = value.rounded(.towardZero) == value && abs(value) < 1e9
                            ? String(Int64(value)) : "\(value)"
                        throw bad(i, text)
                    }
                    largest = max(largest, Int64(value))
                    output[i] = Int32(value)
                }
            }
            return (owner, .classes(UnsafePointer(output)), [], declared ?? Int(largest + 1))
        case .values:
            let shape = Array(labels.shape.dropFirst())
            try checkShape(shape, what: "target shape", source: file)
            switch labels.elementType {
            case .float32:
                let pointer = labels.storage.pointer(to: Float.self, byteOffset: labels.byteOffset, count: elements)
                return (labels.storage, .values(UnsafePointer(pointer)), shape, nil)
            case .uint8, .int64:
                let values = labels.floats()
                let owner = OwnedBuffer(copying: values)
                return (owner, .values(UnsafePointer(owner.pointer(to: Float.self, count: values.count))), shape, nil)
            }
        }
    }
}
