/// Views of an in-memory data set: slices, Keras's validation split, reshaping and
/// renormalising. Every view shares the storage of the data set it comes from.
extension InMemoryDataset {
    /// A view of samples `range`, sharing this data set's storage.
    public func slice(_ range: Range<Int>) -> InMemoryDataset {
        precondition(range.lowerBound >= 0 && range.upperBound <= count,
                     "slice \(range) outside 0..<\(count)")
        let start = range.lowerBound
        let features: FeaturePointer
        switch featureData {
        case let .bytes(base): features = .bytes(base + start * featureCount)
        case let .floats(base): features = .floats(base + start * featureCount)
        }
        let targets: TargetPointer
        switch targetData {
        case let .classes(base): targets = .classes(base + start)
        case let .values(base): targets = .values(base + start * targetCount)
        }
        return InMemoryDataset(count: range.count, featureShape: featureShape, targetShape: targetShape,
                               classCount: classCount, normalization: normalization, source: source,
                               featureOwner: featureOwner, features: features,
                               targetOwner: targetOwner, targets: targets, table: table)
    }

    /// The first `n` samples (all of them when there are fewer), sharing storage.
    public func prefix(_ n: Int) -> InMemoryDataset {
        precondition(n >= 0, "prefix length \(n) is negative")
        return slice(0 ..< Swift.min(n, count))
    }

    /// Splits off the last `fraction` of the samples for validation, as Keras's
    /// `fit(validation_split:)` does: training gets the first `floor(count * (1 - fraction))`
    /// samples, validation the rest, in order. Both share this data set's storage.
    ///
    /// - Throws: `DataError` when `fraction` is not in `(0, 1)` or leaves either part empty.
    public func validationSplit(_ fraction: Double) throws
        -> (training: InMemoryDataset, validation: InMemoryDataset) {
        guard fraction > 0, fraction < 1 else {
            throw DataError(.invalidRequest, file: source,
                            "validation_split must be between 0 and 1 (exclusive), not \(fraction)")
        }
        let splitAt = Int((Double(count) * (1.0 - fraction)).rounded(.down))
        guard splitAt > 0, splitAt < count else {
            throw DataError(.invalidRequest, file: source,
                            "\(count) samples are not enough to split into training and validation "
                            + "sets with validation_split=\(fraction)")
        }
        return (slice(0 ..< splitAt), slice(splitAt ..< count))
    }

    /// The same samples with features viewed in another shape of the same size, e.g. `[28, 28]`
    /// as `[28, 28, 1]` for a convolution. One dimension may be `-1`, inferred from the rest.
    ///
    /// - Throws: `DataError` when the sizes differ or the shape is invalid.
    public func reshaped(featureShape newShape: [Int]) throws -> InMemoryDataset {
        let shape = try Self.resolve(newShape, size: featureCount, current: featureShape, source: source)
        return InMemoryDataset(count: count, featureShape: shape, targetShape: targetShape,
                               classCount: classCount, normalization: normalization, source: source,
                               featureOwner: featureOwner, features: featureData,
                               targetOwner: targetOwner, targets: targetData, table: table)
    }

    /// The same samples with byte features converted by `normalization` instead.
    public func normalized(_ normalization: ByteNormalization) -> InMemoryDataset {
        InMemoryDataset(count: count, featureShape: featureShape, targetShape: targetShape,
                        classCount: classCount, normalization: normalization, source: source,
                        featureOwner: featureOwner, features: featureData,
                        targetOwner: targetOwner, targets: targetData, table: nil)
    }

    static func resolve(_ shape: [Int], size: Int, current: [Int], source: String) throws -> [Int] {
        let inferred = shape.indices.filter { shape[$0] == -1 }
        guard inferred.count <= 1, shape.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw DataError(.invalidRequest, file: source,
                            "feature shape \(shape) is invalid: dimensions must be positive, with at most one -1")
        }
        var result = shape
        var known = 1
        for extent in shape where extent != -1 {
            let product = known.multipliedReportingOverflow(by: extent)
            guard !product.overflow, product.partialValue <= size else {
                throw DataError(.invalidRequest, file: source,
                                "cannot view features of shape \(current) (\(size) values) as \(shape) "
                                + "(more than \(size) values)")
            }
            known = product.partialValue
        }
        if let position = inferred.first {
            guard size % known == 0 else {
                throw DataError(.invalidRequest, file: source,
                                "cannot view features of shape \(current) (\(size) values) as \(shape)")
            }
            result[position] = size / known
        }
        guard result.reduce(1, *) == size else {
            throw DataError(.invalidRequest, file: source,
                            "cannot view features of shape \(current) (\(size) values) as \(shape) "
                            + "(\(result.reduce(1, *)) values)")
        }
        return result
    }
}
