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
/// wins a window; the gradient goes to the (first) largest input of each window.
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

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let g = geometry!, c = channels
        let inSize = inputSize, outSize = outputSize
        let lanes = FloatVector.scalarCount
        let iota = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let parts = Parallel.threadCount
        Parallel.run(parts: parts) { part in
            for n in Parallel.range(of: batch, part: part, parts: parts) {
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        let w = window(oh, ow)
                        let o = n * outSize + (oh * g.outputWidth + ow) * c
                        let out = outputBuffer.pointer + o, arg = argmax.pointer + o
                        let firstCell = n * inSize + (w.top * g.inputWidth + w.left) * c
                        // Channels in vectors of 16, then one by one; the first largest value wins.
                        var ch = 0
                        while ch + lanes <= c {
                            var best = (input + firstCell + ch).loadVector(at: 0)
                            var bestIndex = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: firstCell + ch)) &+ iota
                            for ih in w.top..<w.bottom {
                                for iw in w.left..<w.right {
                                    let at = n * inSize + (ih * g.inputWidth + iw) * c + ch
                                    let v = (input + at).loadVector(at: 0)
                                    let better = v .> best
                                    best.replace(with: v, where: better)
                                    bestIndex.replace(with: SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: at)) &+ iota,
                                                      where: better)
                                }
                            }
                            (out + ch).storeVector(best, at: 0)
                            UnsafeMutableRawPointer(arg + ch).storeBytes(of: bestIndex, as: SIMD16<Int32>.self)
                            ch += lanes
                        }
                        while ch < c {
                            var best = input[firstCell + ch]
                            var bestIndex = firstCell + ch
                            for ih in w.top..<w.bottom {
                                for iw in w.left..<w.right {
                                    let at = n * inSize + (ih * g.inputWidth + iw) * c + ch
                                    if input[at] > best {
                                        best = input[at]
                                        bestIndex = at
                                    }
                                }
                            }
                            out[ch] = best
                            arg[ch] = Int32(truncatingIfNeeded: bestIndex)
                            ch += 1
                        }
                    }
                }
            }
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        let dx = inputGradientBuffer.pointer
        let arg = argmax.pointer
        let g = geometry!
        let tiles = g.strideHeight == g.kernelHeight && g.strideWidth == g.kernelWidth && g.padTop == 0
            && g.padLeft == 0 && g.outputHeight * g.kernelHeight == g.inputHeight
            && g.outputWidth * g.kernelWidth == g.inputWidth
        guard tiles else {
            // Overlapping or partial windows: zero, then add each gradient at its argmax.
            dx.update(repeating: 0, count: batch * inputSize)
            for i in 0..<batch * outputSize { dx[Int(arg[i])] += outputGradient[i] }
            return dx
        }
        // Windows tile the input: every input cell is written exactly once (gradient or zero).
        let c = channels, inSize = inputSize, outSize = outputSize
        let lanes = FloatVector.scalarCount
        let iota = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let zero = FloatVector(repeating: 0)
        let parts = Parallel.threadCount
        Parallel.run(parts: parts) { part in
            for n in Parallel.range(of: batch, part: part, parts: parts) {
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        let o = n * outSize + (oh * g.outputWidth + ow) * c
                        let dy = outputGradient + o, a = arg + o
                        for ih in oh * g.kernelHeight..<(oh + 1) * g.kernelHeight {
                            for iw in ow * g.kernelWidth..<(ow + 1) * g.kernelWidth {
                                let at = n * inSize + (ih * g.inputWidth + iw) * c
                                let dst = dx + at
                                var ch = 0
                                while ch + lanes <= c {
                                    let index = SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: at + ch)) &+ iota
                                    let winner = UnsafeRawPointer(a + ch).loadUnaligned(as: SIMD16<Int32>.self)
                                    var v = zero
                                    v.replace(with: (dy + ch).loadVector(at: 0), where: winner .== index)
                                    (dst + ch).storeVector(v, at: 0)
                                    ch += lanes
                                }
                                while ch < c {
                                    dst[ch] = Int(a[ch]) == at + ch ? dy[ch] : 0
                                    ch += 1
                                }
                            }
                        }
                    }
                }
            }
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
