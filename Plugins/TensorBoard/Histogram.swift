import TensorBoardProto

/// A histogram of a weight tensor in TensorFlow's classic summary form
/// (tensorflow/core/lib/histogram/histogram.cc), which TensorBoard reads from the `histo`
/// field of a summary value.
///
/// The bucket limits grow exponentially: 1e-12, then each 10% larger up to 1e20, mirrored for
/// negative values, with 0 in the middle and ±DBL_MAX at the ends. A value v falls into the
/// first bucket whose limit is greater than v, so bucket i holds
/// `limit[i - 1] <= v < limit[i]`. When encoded, every run of empty buckets is collapsed into
/// one entry of count 0 whose limit is the run's last limit, as TensorFlow does.
struct Histogram {
    /// TensorFlow's default bucket limits (1,549 of them), computed as histogram.cc does.
    static let defaultLimits: [Double] = {
        var positive: [Double] = []
        var value = 1.0e-12
        while value < 1.0e20 {
            positive.append(value)
            value *= 1.1
        }
        positive.append(Double.greatestFiniteMagnitude)
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    private(set) var min = Double.greatestFiniteMagnitude
    private(set) var max = -Double.greatestFiniteMagnitude
    private(set) var count = 0.0
    private(set) var sum = 0.0
    private(set) var sumOfSquares = 0.0
    private(set) var buckets: [Double]

    init() {
        buckets = Array(repeating: 0, count: Self.defaultLimits.count)
    }

    /// A histogram of `values`. NaN values are left out (they have no bucket); infinities land
    /// in the outermost buckets.
    init(_ values: UnsafeBufferPointer<Float>) {
        self.init()
        Self.defaultLimits.withUnsafeBufferPointer { limits in
            buckets.withUnsafeMutableBufferPointer { buckets in
                for float in values where !float.isNaN {
                    let value = Double(float)
                    let index = Swift.min(Self.upperBound(value, in: limits), limits.count - 1)
                    buckets[index] += 1
                    if value < min { min = value }
                    if value > max { max = value }
                    count += 1
                    sum += value
                    sumOfSquares += value * value
                }
            }
        }
    }

    /// The index of the first limit greater than `value` (C++'s std::upper_bound).
    private static func upperBound(_ value: Double, in limits: UnsafeBufferPointer<Double>) -> Int {
        var low = 0, high = limits.count
        while low < high {
            let middle = (low + high) / 2
            if limits[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The histogram as TensorBoard's `HistogramProto`, runs of empty buckets collapsed.
    var proto: Tensorflow_HistogramProto {
        var proto = Tensorflow_HistogramProto()
        proto.min = min
        proto.max = max
        proto.num = count
        proto.sum = sum
        proto.sumSquares = sumOfSquares
        let limits = Self.defaultLimits
        var i = 0
        while i < buckets.count {
            var end = limits[i]
            var bucket = buckets[i]
            i += 1
            if bucket <= 0 {
                while i < buckets.count && buckets[i] <= 0 {
                    end = limits[i]
                    bucket = buckets[i]
                    i += 1
                }
            }
            proto.bucketLimit.append(end)
            proto.bucket.append(bucket)
        }
        if proto.bucket.isEmpty {
            proto.bucketLimit.append(Double.greatestFiniteMagnitude)
            proto.bucket.append(0)
        }
        return proto
    }
}
