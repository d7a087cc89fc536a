#if canImport(Glibc)
import Glibc
#endif

/// Keras's `sparse_categorical_crossentropy`: targets are class indices, predictions are
/// probabilities over the last axis.
///
/// Value as Keras: after a softmax output, from its logits `z` (TensorFlow's
/// `sparse_softmax_cross_entropy_with_logits`): `log Σ exp(z - max z) - (z[y] - max z)`, no
/// clipping; from probabilities otherwise: clip to [1e-7, 1 - 1e-7], then `-log(p[y] / Σ p)`.
/// Fused with a final softmax, the gradient with respect to the logits is
/// `(p - onehot(y)) / rows`.
public final class SparseCategoricalCrossentropy: Loss {
    public var invalidTargets = 0
    public init() {}
    public var name: String { "sparse_categorical_crossentropy" }
    public func fuses(with activation: ActivationFunction) -> Bool { activation == .softmax }

    public func targetSize(forOutputShape outputShape: [Int]) -> Int {
        outputShape.elementCount / max(outputShape.lastDimension, 1)
    }

    public func compute(prediction p: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                        outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        let k = outputShape.lastDimension
        let rows = batch * targetSize(forOutputShape: outputShape)
        let scale = 1 / Float(rows)
        let lo = probabilityEpsilon, hi = 1 - probabilityEpsilon
        var total: Double = 0
        for r in 0..<rows {
            let row = p + r * k
            let t = target[r]
            let label = Int(t)
            let valid = t >= 0 && Float(label) == t && label < k
            var clippedSum: Float = 0
            for j in 0..<k { clippedSum += min(max(row[j], lo), hi) }
            if valid {
                let py = min(max(row[label], lo), hi)
                total += Double(-logf(py) + logf(clippedSum))
            } else {
                invalidTargets += 1
            }
            guard let g = gradient.map({ $0 + r * k }) else { continue }
            if !valid {
                g.update(repeating: 0, count: k)
            } else if fused {
                for j in 0..<k { g[j] = row[j] * scale }
                g[label] -= scale
            } else {
                let invSum = 1 / clippedSum
                for j in 0..<k {
                    let inside = row[j] >= lo && row[j] <= hi
                    var d = invSum
                    if j == label { d -= 1 / min(max(row[j], lo), hi) }
                    g[j] = inside ? d * scale : 0
                }
            }
        }
        return total / Double(rows)
    }

    public func compute(prediction p: UnsafePointer<Float>, logits z: UnsafePointer<Float>, target: UnsafePointer<Float>,
                        batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?) -> Double {
        let k = outputShape.lastDimension
        let rows = batch * targetSize(forOutputShape: outputShape)
        let scale = 1 / Float(rows)
        var total: Double = 0
        for r in 0..<rows {
            let t = target[r]
            let label = Int(t)
            let valid = t >= 0 && Float(label) == t && label < k
            if valid {
                let row = z + r * k
                let m = LogSumExp.maximum(row, count: k)
                total += Double(LogSumExp.shifted(row, count: k, maximum: m) - (row[label] - m))
            } else {
                invalidTargets += 1
            }
            guard let g = gradient.map({ $0 + r * k }) else { continue }
            if !valid {
                g.update(repeating: 0, count: k)
            } else {
                let row = p + r * k
                for j in 0..<k { g[j] = row[j] * scale }
                g[label] -= scale
            }
        }
        return total / Double(rows)
    }
}
