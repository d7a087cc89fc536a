import CTrainerKernels

/// What the pooling layers share: Keras's `pool_size`, `strides` (default: the pool size) and
/// `padding` over NHWC input, channel by channel.
public class Pooling2D: Layer {
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    var geometry: WindowGeometry!
    var channels = 0
    var outputBuffer: FloatBuffer!
    var inputGradientBuffer: FloatBuffer!

    init(pool poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding, name: String?) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        super.init(name: name)
    }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw LayerError(layer: name, message: "expects (height, width, channels) input, got \(inputShape)")
        }
        guard let g = WindowGeometry(inputHeight: inputShape[0], inputWidth: inputShape[1], kernel: poolSize,
                                     strides: strides, padding: padding) else {
            throw LayerError(layer: name, message: "pool \(poolSize) with strides \(strides) and padding \(padding.rawValue) does not fit input \(inputShape)")
        }
        geometry = g
        channels = inputShape[2]
        return [g.outputHeight, g.outputWidth, channels]
    }

    public override func allocateBuffers() {
        outputBuffer = FloatBuffer(count: maxBatch * outputSize)
        inputGradientBuffer = FloatBuffer(count: maxBatch * inputSize)
        output = outputBuffer.pointer
    }

    /// The rows `[top, bottom)` and columns `[left, right)` of the input under output (oh, ow).
    @inline(__always)
    func window(_ oh: Int, _ ow: Int) -> (top: Int, bottom: Int, left: Int, right: Int) {
        let g = geometry!
        let t = oh * g.strideHeight - g.padTop, l = ow * g.strideWidth - g.padLeft
        return (max(t, 0), min(t + g.kernelHeight, g.inputHeight), max(l, 0), min(l + g.kernelWidth, g.inputWidth))
    }
}

/// Keras's `MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")`. Padding never
/// wins a window; the gradient goes to the (first) largest input of each window. The loops
/// over channel vectors are in `CTrainerKernels` (pooling.c).
public final class MaxPooling2D: Pooling2D {
    private var argmax: IndexBuffer!

    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid, name: String? = nil) {
        super.init(pool: poolSize, strides: strides, padding: padding, name: name)
    }

    public convenience init(poolSize: Int, strides: Int? = nil, padding: Padding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }

    public override var kerasClassName: String { "MaxPooling2D" }

    public override func allocateBuffers() {
        super.allocateBuffers()
        argmax = IndexBuffer(count: maxBatch * outputSize)
    }

    /// The window geometry as the C kernels take it.
    private var poolShape: trainer_pool_shape {
        let g = geometry!
        return trainer_pool_shape(
            input_height: Int32(g.inputHeight), input_width: Int32(g.inputWidth), channels: Int32(channels),
            output_height: Int32(g.outputHeight), output_width: Int32(g.outputWidth),
            pool_height: Int32(g.kernelHeight), pool_width: Int32(g.kernelWidth),
            stride_height: Int32(g.strideHeight), stride_width: Int32(g.strideWidth),
            pad_top: Int32(g.padTop), pad_left: Int32(g.padLeft))
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        var shape = poolShape
        let out = outputBuffer.pointer, arg = argmax.pointer
        let parts = Parallel.threadCount
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else { return }
            trainer_max_pool(&shape, input, Int32(samples.lowerBound), Int32(samples.count), out, arg)
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        var shape = poolShape
        let dx = inputGradientBuffer.pointer, arg = UnsafePointer(argmax.pointer)
        let parts = Parallel.threadCount
        Parallel.run(parts: parts) { part in
            let samples = Parallel.range(of: batch, part: part, parts: parts)
            guard !samples.isEmpty else { return }
            trainer_max_pool_backward(&shape, outputGradient, arg, Int32(samples.lowerBound), Int32(samples.count), dx)
        }
        return dx
    }
}

/// Keras's `AveragePooling2D(pool_size=(2, 2), strides=None, padding="valid")`. With "same"
/// padding a window averages only the inputs it covers, as TensorFlow does.
public final class AveragePooling2D: Pooling2D {
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid, name: String? = nil) {
        super.init(pool: poolSize, strides: strides, padding: padding, name: name)
    }

    public convenience init(poolSize: Int, strides: Int? = nil, padding: Padding = .valid, name: String? = nil) {
        self.init(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding, name: name)
    }

    public override var kerasClassName: String { "AveragePooling2D" }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let g = geometry!, c = channels
        let inSize = inputSize, outSize = outputSize
        for n in 0..<batch {
            let x = input + n * inSize
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let w = window(oh, ow)
                    let out = outputBuffer.pointer + n * outSize + (oh * g.outputWidth + ow) * c
                    out.update(repeating: 0, count: c)
                    for ih in w.top..<w.bottom {
                        for iw in w.left..<w.right {
                            let src = x + (ih * g.inputWidth + iw) * c
                            for ch in 0..<c { out[ch] += src[ch] }
                        }
                    }
                    let scale = 1 / Float((w.bottom - w.top) * (w.right - w.left))
                    for ch in 0..<c { out[ch] *= scale }
                }
            }
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        let g = geometry!, c = channels
        let inSize = inputSize, outSize = outputSize
        let dx = inputGradientBuffer.pointer
        dx.update(repeating: 0, count: batch * inSize)
        for n in 0..<batch {
            let d = dx + n * inSize
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let w = window(oh, ow)
                    let dy = outputGradient + n * outSize + (oh * g.outputWidth + ow) * c
                    let scale = 1 / Float((w.bottom - w.top) * (w.right - w.left))
                    for ih in w.top..<w.bottom {
                        for iw in w.left..<w.right {
                            let dst = d + (ih * g.inputWidth + iw) * c
                            for ch in 0..<c { dst[ch] += dy[ch] * scale }
                        }
                    }
                }
            }
        }
        return dx
    }
}
