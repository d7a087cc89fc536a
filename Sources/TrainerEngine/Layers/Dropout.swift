/// Keras's `Dropout(rate)`: in training, each value is zeroed with probability `rate` and the
/// rest scaled by `1 / (1 - rate)` (inverted dropout); at inference it passes its input on
/// unchanged (without copying). Masks come from the layer's seeded generator, reseeded by
/// `fit` every epoch.
public final class Dropout: Layer {
    public let rate: Float
    private var rng = SplitMix64(seed: 0)
    private var mask: FloatBuffer!
    private var outputBuffer: FloatBuffer!
    private var maskIsActive = false

    public init(_ rate: Double, name: String? = nil) {
        self.rate = Float(rate)
        super.init(name: name)
    }

    public override var kerasClassName: String { "Dropout" }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] {
        guard rate >= 0, rate < 1 else { throw LayerError(layer: name, message: "rate must be in [0, 1), got \(rate)") }
        return inputShape
    }

    public override func allocateBuffers() {
        mask = FloatBuffer(count: maxBatch * outputSize)
        outputBuffer = FloatBuffer(count: maxBatch * outputSize)
    }

    public override func reseed(_ seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        guard training, rate > 0 else {
            maskIsActive = false
            output = UnsafeMutablePointer(mutating: input)
            return
        }
        maskIsActive = true
        let n = batch * inputSize
        let m = mask.pointer, out = outputBuffer.pointer
        let keepScale = 1 / (1 - rate)
        let threshold = UInt32(min(Double(rate) * 16_777_216, 16_777_216))
        let t = UInt64(threshold)
        var i = 0
        while i < n {
            // Two 24-bit uniforms per draw; keep when u >= rate, without branching:
            // (u + 2^32 - t) >> 32 is 1 exactly when u >= t.
            let bits = rng.next()
            m[i] = Float(((bits >> 40) &+ (1 << 32) &- t) >> 32) * keepScale
            if i + 1 < n { m[i + 1] = Float((((bits >> 8) & 0xFF_FFFF) &+ (1 << 32) &- t) >> 32) * keepScale }
            i += 2
        }
        Kernels.multiply(input, m, into: out, count: n)
        output = out
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        if maskIsActive {
            Kernels.multiply(outputGradient, by: mask.pointer, count: batch * inputSize)
        }
        return outputGradient
    }
}
