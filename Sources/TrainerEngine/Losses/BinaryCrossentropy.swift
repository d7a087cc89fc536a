#if canImport(Glibc)
import Glibc
#endif

/// Keras's `binary_crossentropy`: per value `-(y log p + (1 - y) log(1 - p))` with `p`
/// clipped to [1e-7, 1 - 1e-7], averaged over the last axis, then over the batch.
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
}
