#if canImport(Glibc)
import Glibc
#endif

/// Keras's `binary_crossentropy`: per value `-(y log p + (1 - y) log(1 - p))` with `p`
/// clipped to [1e-7, 1 - 1e-7], averaged over the last axis, then over the batch. After a
/// sigmoid output Keras computes it from the logits `x` instead (TensorFlow's
/// `sigmoid_cross_entropy_with_logits`): `max(x, 0) - x y + log(1 + exp(-|x|))`, no clipping.
/// Fused with a final sigmoid, the gradient with respect to the logits is `(p - y) / n`.
public final class BinaryCrossentropy: Loss {
    public var invalidTargets = 0
    public init() {}
    public var name: String { "binary_crossentropy" }
    public func fuses(with activation: ActivationFunction) -> Bool { activation == .sigmoid }
    public func targetSize(forOutputShape outputShape: [Int]) -> Int { outputShape.elementCount }

    public func compute(prediction p: UnsafePointer<Float>, target y: UnsafePointer<Float>, batch: Int,
                        outputShape: [Int], gradient: UnsafeMutablePointer<Float>?, fused: Bool) -> Double {
        let n = batch * outputShape.elementCount
        let scale = 1 / Float(n)
        let lo = probabilityEpsilon, hi = 1 - probabilityEpsilon
        var total: Double = 0
        for i in 0..<n {
            let pc = min(max(p[i], lo), hi)
            total -= Double(y[i] * logf(pc) + (1 - y[i]) * logf(1 - pc))
            guard let g = gradient else { continue }
            if fused {
                g[i] = (p[i] - y[i]) * scale
            } else if p[i] >= lo && p[i] <= hi {
                g[i] = (-y[i] / pc + (1 - y[i]) / (1 - pc)) * scale
            } else {
                g[i] = 0
            }
        }
        return total / Double(n)
    }

    public func compute(prediction p: UnsafePointer<Float>, logits x: UnsafePointer<Float>, target y: UnsafePointer<Float>,
                        batch: Int, outputShape: [Int], gradient: UnsafeMutablePointer<Float>?) -> Double {
        let n = batch * outputShape.elementCount
        let scale = 1 / Float(n)
        var total: Double = 0
        for i in 0..<n {
            total += Double(max(x[i], 0) - x[i] * y[i] + log1pf(expf(-abs(x[i]))))
            if let g = gradient { g[i] = (p[i] - y[i]) * scale }
        }
        return total / Double(n)
    }
}
