import CTrainerKernels

/// Keras's `Dropout(rate)`: in training, each value is zeroed with probability `rate` and the
/// rest scaled by `1 / (1 - rate)` (inverted dropout); at inference it passes its input on
/// unchanged (without copying). Masks come from the layer's seeded generator, reseeded by
/// `fit` every epoch; `trainer_dropout` (CTrainerKernels/dropout.c) makes them.
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
        let threshold = UInt64(min(Double(rate) * 16_777_216, 16_777_216))
        // One draw of the generator per two values (bits 40-63 and 8-31, 24-bit uniforms; a
        // value is kept when its uniform >= rate). Draw d depends only on the state and d, so
        // the mask is made in parts across threads with the same bits as one sequence.
        let draws = (n + 1) / 2, state = rng.state
        let parts = draws >= 4096 ? Parallel.threadCount : 1
        Parallel.run(parts: parts) { part in
            let r = Parallel.range(of: draws, part: part, parts: parts, alignment: 16)
            guard !r.isEmpty else { return }
            trainer_dropout(input, m, out, n, state, r.lowerBound, r.count, threshold, keepScale)
        }
        rng.skip(draws)
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
