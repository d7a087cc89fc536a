/// Keras's `Conv2D(filters, kernel_size, strides, padding, activation)` on NHWC input (kernel
/// `[kh, kw, in, out]` as Keras).
///
/// A 3×3, stride-1 convolution over 8 or more channels runs by Winograd's F(4×4, 3×3)
/// (`WinogradConvolution`); any other by im2col and one `sgemm` per pass, with the
/// unrolled-window buffer sized once for the largest batch (a 1×1, stride-1 convolution uses
/// its input directly).
public final class Conv2D: Layer {
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: ActivationFunction
    public let useBias: Bool

    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    private var geometry: WindowGeometry!
    private var channels = 0
    private var columns: FloatBuffer?
    private var outputBuffer: FloatBuffer!
    private var inputGradientBuffer: FloatBuffer!
    private var winograd: WinogradConvolution?

    /// How the convolution is computed.
    enum Method { case im2col, winograd }
    /// `nil`: Winograd's when it applies (`WinogradConvolution.applies`), else im2col. Set
    /// before `build` to force one (Winograd's only where it applies).
    var preferredMethod: Method?
    /// The method in use, known after `build`.
    var method: Method { winograd == nil ? .im2col : .winograd }

    public init(_ filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: ActivationFunction = .linear, useBias: Bool = true, name: String? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
        super.init(name: name)
    }

    /// Square kernel and strides.
    public convenience init(_ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                            activation: ActivationFunction = .linear, useBias: Bool = true, name: String? = nil) {
        self.init(filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  activation: activation, useBias: useBias, name: name)
    }

    public override var kerasClassName: String { "Conv2D" }
    public override var outputActivation: ActivationFunction? { activation }

    private var unrolledWidth: Int { kernelSize.0 * kernelSize.1 * channels }
    private var usesInputAsColumns: Bool {
        kernelSize == (1, 1) && strides == (1, 1)
    }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] {
        guard filters > 0 else { throw LayerError(layer: name, message: "filters must be positive") }
        guard inputShape.count == 3 else {
            throw LayerError(layer: name, message: "expects (height, width, channels) input, got \(inputShape)")
        }
        guard let g = WindowGeometry(inputHeight: inputShape[0], inputWidth: inputShape[1], kernel: kernelSize,
                                     strides: strides, padding: padding) else {
            throw LayerError(layer: name, message: "kernel \(kernelSize) with strides \(strides) and padding \(padding.rawValue) does not fit input \(inputShape)")
        }
        geometry = g
        channels = inputShape[2]
        return [g.outputHeight, g.outputWidth, filters]
    }

    public override func createWeights(rng: inout SplitMix64) {
        kernel = addWeight("kernel", shape: [kernelSize.0, kernelSize.1, channels, filters],
                           initializer: .glorotUniform, rng: &rng)
        if useBias { bias = addWeight("bias", shape: [filters], initializer: .zeros, rng: &rng) }
    }

    public override func allocateBuffers() {
        let rows = maxBatch * geometry.outputHeight * geometry.outputWidth
        let automatic: Method = WinogradConvolution.applies(kernel: kernelSize, strides: strides, channels: channels)
            ? .winograd : .im2col
        if (preferredMethod ?? automatic) == .winograd && WinogradConvolution.fits(kernel: kernelSize, strides: strides) {
            winograd = WinogradConvolution(channels: channels, filters: filters, geometry: geometry,
                                           maxBatch: maxBatch, parts: parts)
            columns = nil
        } else {
            winograd = nil
            columns = usesInputAsColumns ? nil : FloatBuffer(count: rows * unrolledWidth)
        }
        outputBuffer = FloatBuffer(count: rows * filters)
        inputGradientBuffer = FloatBuffer(count: maxBatch * inputSize)
        output = outputBuffer.pointer
        partialGradients = Parallel.threadCount > 1
            ? FloatBuffer(count: (Parallel.threadCount - 1) * (kernel.count + filters)) : nil
    }

    /// Gradient parts after the first (`Parallel.threadCount - 1` of them, each a kernel
    /// gradient then a bias gradient), summed into the weights' gradients in part order.
    private var partialGradients: FloatBuffer?

    /// Parts a batch is split into: samples are independent, so each part unrolls, multiplies
    /// and finishes its own samples.
    private var parts: Int { Parallel.threadCount }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let spatial = geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth, filters = self.filters, channels = self.channels, inSize = inputSize
        let out = outputBuffer.pointer, w = UnsafePointer(kernel.value), b = bias?.value
        let columns = self.columns?.pointer, geometry = self.geometry!, activation = self.activation
        let parts = self.parts
        if parts > 1 { EngineThreads.useOneBLASThread() }
        if let winograd {
            EngineThreads.useOneBLASThread()
            Parallel.run(parts: parts) { part in winograd.transformKernel(w, part: part) }
            Parallel.run(parts: parts) { part in
                let samples = Parallel.range(of: batch, part: part, parts: parts)
                guard !samples.isEmpty else { return }
                winograd.forward(input, samples: samples, part: part, into: out)
                let r0 = samples.lowerBound * spatial, rows = samples.count * spatial
                LayerMath.finishForward(out + r0 * filters, bias: b, activation: activation, rows: rows, columns: filters)
            }
            return
        }
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else { return }
            let r0 = samples.lowerBound * spatial, rows = samples.count * spatial
            let cols: UnsafePointer<Float>
            if let columns {
                Im2Col.unroll(input + samples.lowerBound * inSize, batch: samples.count, channels: channels,
                              geometry: geometry, into: columns + r0 * k)
                cols = UnsafePointer(columns + r0 * k)
            } else {
                cols = input + r0 * k
            }
            Matrix.multiplyPart(cols, lda: k, w, ldb: filters, into: out + r0 * filters, ldc: filters,
                                m: rows, n: filters, k: k, threaded: parts == 1)
            LayerMath.finishForward(out + r0 * filters, bias: b, activation: activation, rows: rows, columns: filters)
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        let spatial = geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth, filters = self.filters, channels = self.channels, inSize = inputSize
        let columns = self.columns?.pointer, geometry = self.geometry!
        let activation = activationFusedWithLoss ? nil : self.activation
        let output = UnsafePointer(outputBuffer.pointer), w = UnsafePointer(kernel.value)
        let kernelGradient = kernel.gradient!, biasGradient = bias?.gradient
        let kernelCount = kernel.count, partial = partialGradients?.pointer
        let dx = inputGradientBuffer.pointer
        let parts = self.parts
        if parts > 1 { EngineThreads.useOneBLASThread() }
        if let winograd {
            return backwardByWinograd(winograd, outputGradient: dz, batch: batch, needsInputGradient: needsInputGradient)
        }
        Parallel.run(parts: parts) { part in
            let dKernel = part == 0 ? kernelGradient : partial! + (part - 1) * (kernelCount + filters)
            let dBias = biasGradient.map { part == 0 ? $0 : dKernel + kernelCount }
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else {
                dKernel.update(repeating: 0, count: kernelCount)
                dBias?.update(repeating: 0, count: filters)
                return
            }
            let r0 = samples.lowerBound * spatial, rows = samples.count * spatial
            let dzPart = dz + r0 * filters
            LayerMath.startBackward(dzPart, output: output + r0 * filters, activation: activation,
                                    biasGradient: dBias, rows: rows, columns: filters)
            let cols = UnsafePointer(columns.map { $0 + r0 * k } ?? UnsafeMutablePointer(mutating: input + r0 * k))
            // dKernel[k, filters] = colsᵀ · dz (this part's rows)
            Matrix.multiplyPart(cols, transposeA: true, lda: k, dzPart, ldb: filters, into: dKernel, ldc: filters,
                                m: k, n: filters, k: rows, threaded: parts == 1)
            guard needsInputGradient else { return }
            guard let columns else {
                // 1×1 convolution: dInput = dz · kernelᵀ directly.
                Matrix.multiplyPart(dzPart, lda: filters, w, transposeB: true, ldb: filters, into: dx + r0 * k, ldc: k,
                                    m: rows, n: k, k: filters, threaded: parts == 1)
                return
            }
            // dCols[rows, k] = dz · kernelᵀ (the unrolled windows are no longer needed), folded back.
            Matrix.multiplyPart(dzPart, lda: filters, w, transposeB: true, ldb: filters, into: columns + r0 * k, ldc: k,
                                m: rows, n: k, k: filters, threaded: parts == 1)
            Im2Col.fold(columns + r0 * k, batch: samples.count, channels: channels, geometry: geometry,
                        into: dx + samples.lowerBound * inSize)
        }
        // The parts' gradients, summed in part order.
        if parts > 1, let partial {
            for p in 1..<parts {
                let dKernel = partial + (p - 1) * (kernelCount + filters)
                Kernels.add(dKernel, to: kernelGradient, count: kernelCount)
                if let biasGradient { Kernels.add(dKernel + kernelCount, to: biasGradient, count: filters) }
            }
        }
        return needsInputGradient ? dx : nil
    }

    private func backwardByWinograd(_ winograd: WinogradConvolution, outputGradient dz: UnsafeMutablePointer<Float>,
                                    batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        let spatial = geometry.outputHeight * geometry.outputWidth, filters = self.filters
        let activation = activationFusedWithLoss ? nil : self.activation
        let output = UnsafePointer(outputBuffer.pointer)
        let kernelGradient = kernel.gradient!, biasGradient = bias?.gradient
        let partial = partialGradients?.pointer, partStride = kernel.count + filters
        let dx = needsInputGradient ? inputGradientBuffer.pointer : nil
        let parts = self.parts
        EngineThreads.useOneBLASThread()
        Parallel.run(parts: parts) { part in
            let dBias = biasGradient.map { part == 0 ? $0 : partial! + (part - 1) * partStride }
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            if samples.isEmpty {
                dBias?.update(repeating: 0, count: filters)
            } else {
                let r0 = samples.lowerBound * spatial, rows = samples.count * spatial
                LayerMath.startBackward(dz + r0 * filters, output: output + r0 * filters, activation: activation,
                                        biasGradient: dBias, rows: rows, columns: filters)
            }
            winograd.backward(UnsafePointer(dz), samples: samples, part: part, inputGradient: dx)
        }
        // The parts' kernel gradients are summed (in part order) and transformed back, split
        // across the parts by kernel element; the bias gradients are summed in part order.
        Parallel.run(parts: parts) { part in winograd.finishKernelGradient(into: kernelGradient, part: part) }
        if parts > 1, let partial, let biasGradient {
            for p in 1..<parts { Kernels.add(partial + (p - 1) * partStride, to: biasGradient, count: filters) }
        }
        return dx
    }
}
