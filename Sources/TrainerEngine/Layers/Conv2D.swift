/// Keras's `Conv2D(filters, kernel_size, strides, padding, activation)` on NHWC input, by
/// im2col and one `sgemm` per pass (kernel `[kh, kw, in, out]` as Keras).
///
/// The unrolled-window buffer is sized once for the largest batch; a 1×1, stride-1, unpadded
/// convolution uses its input directly.
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
        columns = usesInputAsColumns ? nil : FloatBuffer(count: rows * unrolledWidth)
        outputBuffer = FloatBuffer(count: rows * filters)
        inputGradientBuffer = FloatBuffer(count: maxBatch * inputSize)
        output = outputBuffer.pointer
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let rows = batch * geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth
        let cols: UnsafePointer<Float>
        if let columns {
            Im2Col.unroll(input, batch: batch, channels: channels, geometry: geometry, into: columns.pointer)
            cols = UnsafePointer(columns.pointer)
        } else {
            cols = input
        }
        let out = outputBuffer.pointer
        Matrix.multiply(cols, kernel.value, into: out, m: rows, n: filters, k: k)
        LayerMath.finishForward(out, bias: bias?.value, activation: activation, rows: rows, columns: filters)
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient dz: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        let rows = batch * geometry.outputHeight * geometry.outputWidth
        let k = unrolledWidth
        LayerMath.startBackward(dz, output: outputBuffer.pointer, activation: activationFusedWithLoss ? nil : activation,
                                biasGradient: bias?.gradient, rows: rows, columns: filters)
        let cols = columns.map { UnsafePointer($0.pointer) } ?? input
        // dKernel[k, filters] = colsᵀ · dz
        Matrix.multiply(cols, transposeA: true, dz, into: kernel.gradient!, m: k, n: filters, k: rows)
        guard needsInputGradient else { return nil }
        let dx = inputGradientBuffer.pointer
        guard let columns else {
            // 1×1 convolution: dInput = dz · kernelᵀ directly.
            Matrix.multiply(dz, kernel.value, transposeB: true, into: dx, m: rows, n: k, k: filters)
            return dx
        }
        // dCols[rows, k] = dz · kernelᵀ (the unrolled windows are no longer needed), folded back.
        Matrix.multiply(dz, kernel.value, transposeB: true, into: columns.pointer, m: rows, n: k, k: filters)
        Im2Col.fold(columns.pointer, batch: batch, channels: channels, geometry: geometry, into: dx)
        return dx
    }
}
