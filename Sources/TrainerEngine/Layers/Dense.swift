/// Keras's `Dense(units, activation)`: `output = activation(input · kernel + bias)`.
///
/// The kernel is `[in, out]` as in Keras. Like Keras, a Dense layer on an input of rank > 1
/// applies to the last axis. Products go through `cblas_sgemm`, transposes included, so no
/// matrix is ever copied.
public final class Dense: Layer {
    public let units: Int
    public let activation: ActivationFunction
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer

    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    private var outputBuffer: FloatBuffer!
    private var inputGradientBuffer: FloatBuffer!

    public init(_ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform,
                biasInitializer: Initializer = .zeros, name: String? = nil) {
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init(name: name)
    }

    public override var kerasClassName: String { "Dense" }
    public override var outputActivation: ActivationFunction? { activation }

    private var inputDim: Int { inputShape.lastDimension }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] {
        guard units > 0 else { throw LayerError(layer: name, message: "units must be positive, got \(units)") }
        guard !inputShape.isEmpty else { throw LayerError(layer: name, message: "needs an input of rank >= 1") }
        return inputShape.dropLast() + [units]
    }

    public override var plannedWeightShapes: [[Int]] { [[inputDim, units]] + (useBias ? [[units]] : []) }

    public override func createWeights(rng: inout SplitMix64) {
        kernel = addWeight("kernel", shape: [inputDim, units], initializer: kernelInitializer, rng: &rng)
        if useBias {
            bias = addWeight("bias", shape: [units], initializer: biasInitializer, rng: &rng)
        }
    }

    public override func allocateBuffers() {
        outputBuffer = FloatBuffer(count: maxBatch * outputSize)
        inputGradientBuffer = FloatBuffer(count: maxBatch * inputSize)
        output = outputBuffer.pointer
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let rows = batch * (inputSize / inputDim)
        let out = outputBuffer.pointer
        // A large product goes in pieces of at most `Dense.rowsPerPiece` rows (samples), spread
        // over the threads, each piece multiplying and finishing its own rows. The pieces do
        // not depend on the thread count, so neither do the bits.
        let pieces = rows * units * inputDim >= Dense.parallelWork
            ? (rows + Dense.rowsPerPiece - 1) / Dense.rowsPerPiece : 1
        guard pieces > 1 else {
            Matrix.multiply(input, kernel.value, into: out, m: rows, n: units, k: inputDim)
            LayerMath.finishForward(out, bias: bias?.value, activation: activation, rows: rows, columns: units,
                                    logits: logitsDestination(for: out))
            return
        }
        let units = self.units, inputDim = self.inputDim, w = UnsafePointer(kernel.value), b = bias?.value
        let activation = self.activation, logits = logitsDestination(for: out)
        EngineThreads.useOneBLASThread()
        Parallel.run(parts: pieces) { part in
            let r = Parallel.range(of: rows, part: part, parts: pieces)
            guard !r.isEmpty else { return }
            Matrix.multiplyPart(input + r.lowerBound * inputDim, lda: inputDim, w, ldb: units,
                                into: out + r.lowerBound * units, ldc: units, m: r.count, n: units, k: inputDim)
            LayerMath.finishForward(out + r.lowerBound * units, bias: b, activation: activation, rows: r.count,
                                    columns: units, logits: logits.map { $0 + r.lowerBound * units })
        }
    }

    /// Threads a product of `work` multiply-adds is split across: one below
    /// `Dense.parallelWork` (a batch of 32 through a small layer), where waking another
    /// thread costs more than it saves.
    @inline(__always)
    private func parts(work: Int) -> Int { work >= Dense.parallelWork ? Parallel.threadCount : 1 }

    static let parallelWork = 1_000_000

    /// Rows of a forward product per piece: OpenBLAS multiplies a piece this thin without
    /// packing the kernel first (its small-matrix path), which for a batch's few rows through
    /// a wide kernel is about 1.5 times as fast as one packed product per thread.
    static let rowsPerPiece = 8

    public override func backward(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        let rows = batch * (inputSize / inputDim)
        LayerMath.startBackward(dz, output: outputBuffer.pointer, activation: activationFusedWithLoss ? nil : activation,
                                biasGradient: bias?.gradient, rows: rows, columns: units)
        let dx = inputGradientBuffer.pointer
        let parts = self.parts(work: rows * units * inputDim)
        guard parts > 1 else {
            // dKernel[in, out] = inputᵀ · dz
            Matrix.multiply(input, transposeA: true, dz, into: kernel.gradient!, m: inputDim, n: units, k: rows)
            guard needsInputGradient else { return nil }
            // dInput[rows, in] = dz · kernelᵀ
            Matrix.multiply(dz, kernel.value, transposeB: true, into: dx, m: rows, n: inputDim, k: units)
            return dx
        }
        // Each part: a band of the kernel gradient's rows (inputs), and its share of the
        // input gradient's rows (samples). Every element has one writer.
        let units = self.units, inputDim = self.inputDim, w = UnsafePointer(kernel.value)
        let dKernel = kernel.gradient!, dzc = UnsafePointer(dz)
        EngineThreads.useOneBLASThread()
        Parallel.run(parts: parts) { part in
            let band = Parallel.range(of: inputDim, part: part, parts: parts, alignment: 16)
            Matrix.multiplyPart(input + band.lowerBound, transposeA: true, lda: inputDim, dzc, ldb: units,
                                into: dKernel + band.lowerBound * units, ldc: units, m: band.count, n: units, k: rows)
            guard needsInputGradient else { return }
            let r = Parallel.range(of: rows, part: part, parts: parts)
            Matrix.multiplyPart(dzc + r.lowerBound * units, lda: units, w, transposeB: true, ldb: units,
                                into: dx + r.lowerBound * inputDim, ldc: inputDim, m: r.count, n: inputDim, k: units)
        }
        return needsInputGradient ? dx : nil
    }
}
