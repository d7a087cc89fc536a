#if canImport(Glibc)
import Glibc
#endif

/// Keras's `categorical_crossentropy`: one-hot (or soft) targets over the last axis.
///
/// Value as Keras: after a softmax output, from its logits `z` (TensorFlow's
/// `softmax_cross_entropy_with_logits`): `Σ y (log Σ exp(z - max z) - (z - max z))`, no
/// clipping; from probabilities otherwise: `q = clip(p / Σ p, 1e-7, 1 - 1e-7)`, loss `-Σ y log q`.
/// Fused with a final softmax, the gradient with respect to the logits is
/// `(p Σy - y) / rows`.
public final class CategoricalCrossentropy: Loss {
    public var invalidTargets = 0
    public init() {}
    public var name: String { "categorical_crossentropy" }
    public func fuses(with activation: ActivationFunction) -> Bool { activation == .softmax }
    public func targetSize(forOutputShape outputShape: [Int]) -> Int { outputShape.elementCount }

    public func compute(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, batch: Int,
                        outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        let k = outputShape.lastDimension
        let rows = batch * outputShape.elementCount / max(k, 1)
        let scale = 1 / Float(rows)
        let lo = probabilityEpsilon, hi = 1 - probabilityEpsilon
        var total: Double = 0
        for r in 0..<rows {
            let pr = p + r * k, yr = y + r * k
            var sum: Float = 0
            for j in 0..<k { sum += pr[j] }
            let inv = 1 / sum
            var rowLoss: Float = 0
            var targetSum: Float = 0
            for j in 0..<k {
                rowLoss -= yr[j] * logf(min(max(pr[j] * inv, lo), hi))
                targetSum += yr[j]
            }
            total += Double(rowLoss)
            guard let g = gradient.map({ $0 + r * k }) else { continue }
            if fused {
                for j in 0..<k { g[j] = (pr[j] * targetSum - yr[j]) * scale }
            } else {
                // q_j = p_j / S; dL/dp_k = c_k / S - (Σ_j c_j p_j) / S², c_j = -y_j / q_j (0 if clipped)
                var cp: Float = 0
                for j in 0..<k {
                    let q = pr[j] * inv
                    let c: Float = (q >= lo && q <= hi) ? -yr[j] / q : 0
                    g[j] = c
                    cp += c * pr[j]
                }
                for j in 0..<k { g[j] = (g[j] * inv - cp * inv * inv) * scale }
            }
        }
        return total / Double(rows)
    }

    public func compute(prediction p: UnsafePointer<Float>, logits z: UnsafePointer<Float>, target y: UnsafePointer<Float>,
                        batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?) -> Double {
        let k = outputShape.lastDimension
        let rows = batch * outputShape.elementCount / max(k, 1)
        let scale = 1 / Float(rows)
        var total: Double = 0
        for r in 0..<rows {
            let zr = z + r * k, yr = y + r * k
            let m = LogSumExp.maximum(zr, count: k)
            let logSum = LogSumExp.shifted(zr, count: k, maximum: m)
            var rowLoss: Float = 0
            var targetSum: Float = 0
            for j in 0..<k {
                rowLoss += yr[j] * (logSum - (zr[j] - m))
                targetSum += yr[j]
            }
            total += Double(rowLoss)
            guard let g = gradient.map({ $0 + r * k }) else { continue }
            let pr = p + r * k
            for j in 0..<k { g[j] = (pr[j] * targetSum - yr[j]) * scale }
        }
        return total / Double(rows)
    }
}
