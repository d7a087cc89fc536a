#if canImport(Glibc)
import Glibc
#endif

/// The pieces of a softmax cross-entropy computed from logits, in float32 as TensorFlow's
/// `softmax_cross_entropy_with_logits` kernels compute them: with `m = max z`, the loss of
/// class `y` is `log Σ exp(z - m) - (z[y] - m)`. Nothing is clipped, so a confidently wrong
/// prediction costs its full `-log p[y]` (Keras clips only probabilities, at 1e-7).
enum LogSumExp {
    /// The largest of `count` values.
    @inline(__always)
    static func maximum(_ z: UnsafePointer<Float>, count k: Int) -> Float {
        var m = z[0]
        for j in 1..<max(k, 1) where z[j] > m { m = z[j] }
        return m
    }

    /// `log Σ exp(z - maximum)` over `count` values.
    @inline(__always)
    static func shifted(_ z: UnsafePointer<Float>, count k: Int, maximum m: Float) -> Float {
        var sum: Float = 0
        for j in 0..<k { sum += expf(z[j] - m) }
        return logf(sum)
    }
}
