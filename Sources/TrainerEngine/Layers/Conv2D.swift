import CTrainerKernels

/// Keras's `Conv2D(filters, kernel_size, strides, padding, activation)` on NHWC input (kernel
/// `[kh, kw, in, out]` as Keras), computed by one of three methods (`Method`), chosen when the
/// layer is built. Each pass splits the batch's samples across threads.
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
    enum Method {
        /// Unrolled windows ("im2col") and one `sgemm` per pass; the unrolled-window buffer is
        /// sized once for the largest batch (a 1×1, stride-1 convolution uses its input as it is).
        case im2col
        /// Winograd's F(4×4, 3×3) (`WinogradConvolution`): 3×3 kernels at stride 1 only.
        case winograd
        /// Each output pixel accumulated in place (`trainer_conv_direct_*`), for windows of few
        /// values, where im2col's product would be too thin to run near the hardware's speed.
        case direct
    }
    /// `nil`: Winograd's where it gains (`WinogradConvolution.applies`), else direct for
    /// windows of at most `directWindowLimit` values (1×1 kernels excepted), else im2col. Set
    /// before `build` to force one (Winograd's and the direct method only where they fit).
    var preferredMethod: Method?
    /// The method in use, known after `build`.
    private(set) var method = Method.im2col
    /// The most values (kh · kw · channels) a window may hold for the direct method.
    static let directWindowLimit = 32

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

    public override var plannedWeightShapes: [[Int]] {
        [[kernelSize.0, kernelSize.1, channels, filters]] + (useBias ? [[filters]] : [])
    }

    public override func createWeights(rng: inout SplitMix64) {
        kernel = addWeight("kernel", shape: [kernelSize.0, kernelSize.1, channels, filters],
                           initializer: .glorotUniform, rng: &rng)
        if useBias { bias = addWeight("bias", shape: [filters], initializer: .zeros, rng: &rng) }
    }

    public override func allocateBuffers() {
        let rows = maxBatch * geometry.outputHeight * geometry.outputWidth
        let automatic: Method
        if WinogradConvolution.applies(kernel: kernelSize, strides: strides, channels: channels) {
            automatic = .winograd
        } else if unrolledWidth <= Conv2D.directWindowLimit && !usesInputAsColumns {
            automatic = .direct
        } else {
            automatic = .im2col
        }
        method = preferredMethod ?? automatic
        if method == .winograd && !WinogradConvolution.fits(kernel: kernelSize, strides: strides) { method = .im2col }
        if method == .direct && unrolledWidth > Conv2D.directWindowLimit { method = .im2col }
        winograd = method == .winograd
            ? WinogradConvolution(channels: channels, filters: filters, geometry: geometry, maxBatch: maxBatch,
                                  parts: parts)
            : nil
        zeroPixels = method == .winograd ? FloatBuffer(count: maxBatch * geometry.inputHeight * geometry.inputWidth) : nil
        columns = method == .im2col && !usesInputAsColumns ? FloatBuffer(count: rows * unrolledWidth) : nil
        outputBuffer = FloatBuffer(count: rows * filters)
        inputGradientBuffer = FloatBuffer(count: maxBatch * inputSize)
        output = outputBuffer.pointer
        partialGradients = Parallel.threadCount > 1
            ? FloatBuffer(count: (Parallel.threadCount - 1) * (kernel.count + filters)) : nil
    }

    /// Gradient parts after the first (`Parallel.threadCount - 1` of them, each a kernel
    /// gradient then a bias gradient), summed into the weights' gradients in part order.
    private var partialGradients: FloatBuffer?

    /// Parts a batch is split into, one per thread: samples are independent, so each part
    /// transforms or unrolls, multiplies and finishes its own samples. The parts' kernel
    /// gradients are summed in part order, so the last bits of a gradient follow the thread
    /// count (a given count always gives the same bits).
    private var parts: Int { Parallel.threadCount }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        // Parts run their products on their own thread each; a single part may use OpenBLAS's.
        if parts > 1 { EngineThreads.useOneBLASThread() }
        switch method {
        case .im2col: forwardByIm2col(input, batch: batch)
        case .winograd: forwardByWinograd(input, batch: batch)
        case .direct: forwardDirect(input, batch: batch)
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        if parts > 1 { EngineThreads.useOneBLASThread() }
        switch method {
        case .im2col: backwardByIm2col(input, outputGradient: dz, batch: batch, needsInputGradient: needsInputGradient)
        case .winograd: backwardByWinograd(outputGradient: dz, batch: batch, needsInputGradient: needsInputGradient)
        case .direct: backwardDirect(input, outputGradient: dz, batch: batch, needsInputGradient: needsInputGradient)
        }
        return needsInputGradient ? inputGradientBuffer.pointer : nil
    }

    /// The kernel and bias gradients of part `part`: the weights' own for part 0, else that
    /// part's slot in `partialGradients`.
    @inline(__always)
    private func gradientSlots(part: Int) -> (kernel: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?) {
        if part == 0 { return (kernel.gradient!, bias?.gradient) }
        let slot = partialGradients!.pointer + (part - 1) * (kernel.count + filters)
        return (slot, bias == nil ? nil : slot + kernel.count)
    }

    /// Adds the later parts' kernel and bias gradients to the weights', in part order.
    private func sumPartialGradients() {
        guard parts > 1 else { return }
        for p in 1..<parts {
            let slots = gradientSlots(part: p)
            Kernels.add(slots.kernel, to: kernel.gradient!, count: kernel.count)
            if let dBias = slots.bias, let biasGradient = bias?.gradient {
                Kernels.add(dBias, to: biasGradient, count: filters)
            }
        }
    }

    // MARK: im2col

    private func forwardByIm2col(_ input: UnsafePointer<Float>, batch: Int) {
        let spatial = geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth, filters = self.filters, channels = self.channels, inSize = inputSize
        let out = outputBuffer.pointer, w = UnsafePointer(kernel.value), b = bias?.value
        let columns = self.columns?.pointer, geometry = self.geometry!, activation = self.activation
        let parts = self.parts, logits = logitsDestination(for: out)
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
            LayerMath.finishForward(out + r0 * filters, bias: b, activation: activation, rows: rows, columns: filters,
                                    logits: logits.map { $0 + r0 * filters })
        }
    }

    private func backwardByIm2col(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) {
        let spatial = geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth, filters = self.filters, channels = self.channels, inSize = inputSize
        let columns = self.columns?.pointer, geometry = self.geometry!
        let activation = activationFusedWithLoss ? nil : self.activation
        let output = UnsafePointer(outputBuffer.pointer), w = UnsafePointer(kernel.value)
        let kernelCount = kernel.count, dx = inputGradientBuffer.pointer
        let parts = self.parts
        Parallel.run(parts: parts) { part in
            let (dKernel, dBias) = gradientSlots(part: part)
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
        sumPartialGradients()
    }

    // MARK: Winograd

    /// Per input pixel of the last Winograd forward pass: 1 when all its channels are zero.
    private var zeroPixels: FloatBuffer?

    /// Winograd's transforms mix a whole 6×6 tile, so an output whose 3×3 window holds only
    /// zeros comes out as the bias plus rounding noise (about 1e-9) from the tile's other
    /// values, where a sum over the window (Keras's, im2col's) gives the bias exactly. With
    /// zero biases (a first step), ReLU passes that noise, and its gradient, where Keras's
    /// stops at exactly 0: every output of `samples` whose window (padding included) is all
    /// zeros is set to the bias, through ReLU when `relu`, before any other activation.
    private func exactOutputsOfZeroWindows(_ input: UnsafePointer<Float>, samples: Range<Int>,
                                           into out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                           relu: Bool) {
        let g = geometry!, c = channels, f = filters
        let height = g.inputHeight, width = g.inputWidth, pixels = height * width
        let zero = zeroPixels!.pointer
        for n in samples {
            let flags = zero + n * pixels, x = input + n * pixels * c
            for p in 0..<pixels {
                let pixel = x + p * c
                var allZero: Float = 1
                for j in 0..<c where pixel[j] != 0 {
                    allZero = 0
                    break
                }
                flags[p] = allZero
            }
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    var windowIsZero = true
                    for ky in 0..<3 where windowIsZero {
                        let y = oy - g.padTop + ky
                        guard y >= 0 && y < height else { continue }
                        for kx in 0..<3 {
                            let xx = ox - g.padLeft + kx
                            if xx >= 0 && xx < width && flags[y * width + xx] == 0 {
                                windowIsZero = false
                                break
                            }
                        }
                    }
                    guard windowIsZero else { continue }
                    let o = out + ((n * g.outputHeight + oy) * g.outputWidth + ox) * f
                    for j in 0..<f {
                        let b = bias?[j] ?? 0
                        o[j] = relu ? max(b, 0) : b
                    }
                }
            }
        }
    }

    private func forwardByWinograd(_ input: UnsafePointer<Float>, batch: Int) {
        let winograd = self.winograd!, spatial = geometry.outputHeight * geometry.outputWidth, filters = self.filters
        let out = outputBuffer.pointer, w = UnsafePointer(kernel.value), b = bias.map { UnsafePointer($0.value) }
        let activation = self.activation, parts = self.parts, logits = logitsDestination(for: out)
        EngineThreads.useOneBLASThread() // small products, one per position
        Parallel.run(parts: parts) { part in winograd.transformKernel(w, part: part) }
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else { return }
            // The bias and ReLU go with the output transform; another activation follows it.
            winograd.forward(input, samples: samples, part: part, bias: b, relu: activation == .relu, into: out)
            self.exactOutputsOfZeroWindows(input, samples: samples, into: out, bias: b, relu: activation == .relu)
            if activation != .relu {
                let r0 = samples.lowerBound * spatial * filters
                LayerMath.applyActivation(activation, to: out + r0, rows: samples.count * spatial, columns: filters,
                                          logits: logits.map { $0 + r0 })
            }
        }
    }

    private func backwardByWinograd(outputGradient dz: UnsafeMutablePointer<Float>, batch: Int,
                                    needsInputGradient: Bool) {
        let winograd = self.winograd!, spatial = geometry.outputHeight * geometry.outputWidth, filters = self.filters
        let activation = activationFusedWithLoss ? nil : self.activation
        let output = UnsafePointer(outputBuffer.pointer), kernelGradient = kernel.gradient!
        let dx = needsInputGradient ? inputGradientBuffer.pointer : nil
        let parts = self.parts
        EngineThreads.useOneBLASThread()
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            // ReLU's gradient and the bias gradient go with the output gradient's transform;
            // another activation's gradient comes first.
            if let activation, activation != .relu, !samples.isEmpty {
                let r0 = samples.lowerBound * spatial
                activation.backward(output: output + r0 * filters, gradient: dz + r0 * filters,
                                    rows: samples.count * spatial, width: filters)
            }
            winograd.backward(UnsafePointer(dz), reluOutput: activation == .relu ? output : nil, samples: samples,
                              part: part, biasGradient: gradientSlots(part: part).bias, inputGradient: dx)
        }
        // The parts' kernel gradients are summed (in part order) and transformed back, split
        // across the parts by kernel element; the bias gradients are summed in part order.
        Parallel.run(parts: parts) { part in winograd.finishKernelGradient(into: kernelGradient, part: part) }
        if parts > 1, let biasGradient = bias?.gradient {
            for p in 1..<parts { Kernels.add(gradientSlots(part: p).bias!, to: biasGradient, count: filters) }
        }
    }

    // MARK: Direct

    /// The layer's geometry as the C kernels take it.
    private var convolutionShape: trainer_conv_shape {
        let g = geometry!
        return trainer_conv_shape(
            input_height: Int32(g.inputHeight), input_width: Int32(g.inputWidth), channels: Int32(channels),
            output_height: Int32(g.outputHeight), output_width: Int32(g.outputWidth), filters: Int32(filters),
            kernel_height: Int32(g.kernelHeight), kernel_width: Int32(g.kernelWidth),
            stride_height: Int32(g.strideHeight), stride_width: Int32(g.strideWidth),
            pad_top: Int32(g.padTop), pad_left: Int32(g.padLeft))
    }

    private func forwardDirect(_ input: UnsafePointer<Float>, batch: Int) {
        var shape = convolutionShape
        let spatial = geometry.outputHeight * geometry.outputWidth, filters = self.filters
        let out = outputBuffer.pointer, w = UnsafePointer(kernel.value), b = bias.map { UnsafePointer($0.value) }
        let activation = self.activation, parts = self.parts, logits = logitsDestination(for: out)
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else { return }
            trainer_conv_direct_forward(&shape, input, Int32(samples.lowerBound), Int32(samples.count), w, b,
                                        activation == .relu ? 1 : 0, out)
            if activation != .relu {
                let r0 = samples.lowerBound * spatial * filters
                LayerMath.applyActivation(activation, to: out + r0, rows: samples.count * spatial, columns: filters,
                                          logits: logits.map { $0 + r0 })
            }
        }
    }

    private func backwardDirect(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                batch: Int, needsInputGradient: Bool) {
        var shape = convolutionShape
        let spatial = geometry.outputHeight * geometry.outputWidth, filters = self.filters
        let activation = activationFusedWithLoss ? nil : self.activation
        let output = UnsafePointer(outputBuffer.pointer), w = UnsafePointer(kernel.value)
        let dx = needsInputGradient ? inputGradientBuffer.pointer : nil
        let kernelCount = kernel.count, parts = self.parts
        Parallel.run(parts: parts) { part in
            let (dKernel, dBias) = gradientSlots(part: part)
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else {
                dKernel.update(repeating: 0, count: kernelCount)
                dBias?.update(repeating: 0, count: filters)
                return
            }
            // ReLU's gradient is applied inside the kernel; any other activation's first.
            if let activation, activation != .relu {
                let r0 = samples.lowerBound * spatial
                activation.backward(output: output + r0 * filters, gradient: dz + r0 * filters,
                                    rows: samples.count * spatial, width: filters)
            }
            trainer_conv_direct_backward(&shape, input, dz, activation == .relu ? output : nil,
                                         Int32(samples.lowerBound), Int32(samples.count), w, dKernel, dBias, dx)
        }
        sumPartialGradients()
    }
}
