/// Index of the largest of `count` values (the first one on ties, as `argmax`).
@inline(__always)
func argmax(_ p: UnsafePointer<Float>, _ count: Int) -> Int {
    var best = 0
    var bestValue = p[0]
    for j in 1..<max(count, 1) where p[j] > bestValue {
        best = j
        bestValue = p[j]
    }
    return best
}

/// Keras's `sparse_categorical_accuracy`: argmax of the prediction equals the class index.
public final class SparseCategoricalAccuracy: Metric {
    public let name: String
    public var mean = RunningMean()
    public init(name: String = "sparse_categorical_accuracy") { self.name = name }
    public func reset() { mean.reset() }
    public var result: Double { mean.mean }

    public func update(prediction p: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                       outputShape: [Int]) {
        let k = outputShape.lastDimension
        let rows = batch * outputShape.elementCount / max(k, 1)
        var hits = 0
        for r in 0..<rows where Float(argmax(p + r * k, k)) == target[r] { hits += 1 }
        mean.addSum(Double(hits), count: Double(rows))
    }
}

/// Keras's `categorical_accuracy`: argmax of the prediction equals argmax of the target.
public final class CategoricalAccuracy: Metric {
    public let name: String
    public var mean = RunningMean()
    public init(name: String = "categorical_accuracy") { self.name = name }
    public func reset() { mean.reset() }
    public var result: Double { mean.mean }

    public func update(prediction p: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                       outputShape: [Int]) {
        let k = outputShape.lastDimension
        let rows = batch * outputShape.elementCount / max(k, 1)
        var hits = 0
        for r in 0..<rows where argmax(p + r * k, k) == argmax(target + r * k, k) { hits += 1 }
        mean.addSum(Double(hits), count: Double(rows))
    }
}

/// Keras's `binary_accuracy` (threshold 0.5): `(p > 0.5) == y`, averaged over the last axis.
public final class BinaryAccuracy: Metric {
    public let name: String
    public let threshold: Float
    public var mean = RunningMean()
    public init(name: String = "binary_accuracy", threshold: Float = 0.5) {
        self.name = name
        self.threshold = threshold
    }
    public func reset() { mean.reset() }
    public var result: Double { mean.mean }

    public func update(prediction p: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                       outputShape: [Int]) {
        let k = outputShape.lastDimension
        let n = batch * outputShape.elementCount
        var hits = 0
        for i in 0..<n where (p[i] > threshold ? Float(1) : Float(0)) == target[i] { hits += 1 }
        // Per row: hits / k; summed over rows: hits / k. Rows counted: n / k.
        mean.addSum(Double(hits) / Double(k), count: Double(n / max(k, 1)))
    }
}
