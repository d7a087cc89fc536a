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
        var i = 0
        while i < n {
            // Two 24-bit uniforms per draw: keep when u >= rate.
            let bits = rng.next()
            m[i] = UInt32(truncatingIfNeeded: bits >> 40) >= threshold ? keepScale : 0
            if i + 1 < n { m[i + 1] = UInt32(truncatingIfNeeded: (bits >> 8) & 0xFF_FFFF) >= threshold ? keepScale : 0 }
            i += 2
        }
        for j in 0..<n { out[j] = input[j] * m[j] }
        output = out
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        if maskIsActive {
            let m = mask.pointer
            for j in 0..<batch * inputSize { outputGradient[j] *= m[j] }
        }
        return outputGradient
    }
}
