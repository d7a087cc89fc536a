import XCTest
@testable import TrainerEngine

/// The reference checks of the engine's C kernels (`CTrainerKernels`: the Winograd transforms,
/// direct convolution, max pooling, dropout masks, Adam's update), each against a plain
/// computation of the same thing: loops, im2col and its product, finite differences, a
/// sequential generator, Keras's update rule in Double. `KernelLevelTests` runs them at every
/// instruction-set level the CPU supports.
enum KernelChecks {
    /// Every check, with its name.
    static let all: [(name: String, run: () throws -> Void)] = [
        ("conv2DGradients", conv2DGradients),
        ("conv2DMatchesPlainLoops", conv2DMatchesPlainLoops),
        ("validStridedConv2DMatchesPlainLoops", validStridedConv2DMatchesPlainLoops),
        ("winogradConv2DGradients", winogradConv2DGradients),
        ("winogradMatchesIm2col", winogradMatchesIm2col),
        ("directMatchesIm2col", directMatchesIm2col),
        ("maxPoolingGradients", maxPoolingGradients),
        ("maxPoolingGradientReplacesTheLastOne", maxPoolingGradientReplacesTheLastOne),
        ("maxPoolingValues", maxPoolingValues),
        ("dropoutMaskFollowsOneSequentialGenerator", dropoutMaskFollowsOneSequentialGenerator),
        ("dropoutGradientAndBehaviour", dropoutGradientAndBehaviour),
        ("adamFollowsKerasRuleOnVectors", adamFollowsKerasRuleOnVectors),
    ]

    /// Conv2D's gradients against finite differences: the direct method (windows of up to 32
    /// values, strides, 'same' padding, 17 filters: a tail past the 16-wide blocks), and im2col
    /// for a 1×1 kernel.
    static func conv2DGradients() throws {
        try checkLayerGradients(Conv2D(3, kernelSize: 3), inputShape: [5, 4, 2], batch: 2)
        try checkLayerGradients(Conv2D(2, kernelSize: 3, strides: 2, padding: .same, activation: .tanh),
                                inputShape: [5, 6, 2], batch: 2, seed: 3)
        try checkLayerGradients(Conv2D(2, kernelSize: (2, 3), strides: (1, 2), padding: .same, activation: .sigmoid),
                                inputShape: [4, 5, 1], batch: 1, seed: 4)
        try checkLayerGradients(Conv2D(3, kernelSize: 1), inputShape: [3, 3, 2], batch: 2, seed: 5)
        try checkLayerGradients(Conv2D(17, kernelSize: 2, activation: .relu), inputShape: [3, 3, 2], batch: 1, seed: 6)
    }

    static func conv2DMatchesPlainLoops() throws {
        // 'same' padding with stride 2 on an odd size: TensorFlow pads the extra row at the end.
        var rng = SplitMix64(seed: 9)
        let layer = Conv2D(2, kernelSize: 3, strides: 2, padding: .same)
        let (h, w, c) = (5, 6, 2)
        try layer.build(inputShape: [h, w, c], maxBatch: 1, rng: &rng)
        let x = randomFloats(h * w * c, seed: 2)
        x.withUnsafeBufferPointer { layer.forward($0.baseAddress!, batch: 1, training: false) }
        let k = layer.kernel.values
        // out = ceil(5/2)=3 by ceil(6/2)=3; pad total rows = (3-1)*2+3-5 = 2 -> top 1; cols (3-1)*2+3-6 = 1 -> left 0.
        for oh in 0..<3 {
            for ow in 0..<3 {
                for f in 0..<2 {
                    var s: Float = 0
                    for ki in 0..<3 {
                        for kj in 0..<3 {
                            let ih = oh * 2 - 1 + ki, iw = ow * 2 - 0 + kj
                            guard ih >= 0, ih < h, iw >= 0, iw < w else { continue }
                            for ch in 0..<c { s += x[(ih * w + iw) * c + ch] * k[((ki * 3 + kj) * c + ch) * 2 + f] }
                        }
                    }
                    XCTAssertEqual(layer.output[(oh * 3 + ow) * 2 + f], s, accuracy: 1e-5)
                }
            }
        }
    }

    /// 'valid' padding with stride 2, three samples (split into parts across threads): the
    /// unrolling without bounds checks, against a direct convolution, and its gradients.
    static func validStridedConv2DMatchesPlainLoops() throws {
        try checkLayerGradients(Conv2D(3, kernelSize: (3, 2), strides: (2, 1), activation: .relu),
                                inputShape: [7, 5, 2], batch: 3, seed: 7)
        var rng = SplitMix64(seed: 11)
        let layer = Conv2D(3, kernelSize: (3, 2), strides: (2, 2))
        let (h, w, c, batch) = (7, 6, 2, 3)
        try layer.build(inputShape: [h, w, c], maxBatch: batch, rng: &rng)
        let x = randomFloats(batch * h * w * c, seed: 8)
        x.withUnsafeBufferPointer { layer.forward($0.baseAddress!, batch: batch, training: false) }
        let k = layer.kernel.values
        let (oh, ow) = (3, 3)
        XCTAssertEqual(layer.outputShape, [oh, ow, 3])
        for n in 0..<batch {
            for i in 0..<oh {
                for j in 0..<ow {
                    for f in 0..<3 {
                        var s: Float = 0
                        for ki in 0..<3 {
                            for kj in 0..<2 {
                                for ch in 0..<c {
                                    let at: Int = ((n * h + i * 2 + ki) * w + j * 2 + kj) * c + ch
                                    let weight: Int = ((ki * 2 + kj) * c + ch) * 3 + f
                                    s += x[at] * k[weight]
                                }
                            }
                        }
                        let out: Int = ((n * oh + i) * ow + j) * 3 + f
                        XCTAssertEqual(layer.output[out], s, accuracy: 1e-5)
                    }
                }
            }
        }
    }

    /// A 3×3, stride-1 convolution over 8 or more channels runs by Winograd's F(4×4, 3×3); its
    /// gradients against finite differences, with 'valid' and 'same' padding, outputs that do
    /// not fill the last 4×4 tiles, and channel counts with vector tails. The transforms round
    /// a little more than a dot product does (their coefficients reach 8 and 1/24), so the
    /// differences take a step of 1e-2 on these smooth activations.
    static func winogradConv2DGradients() throws {
        let valid = Conv2D(3, kernelSize: 3, activation: .tanh)
        try checkLayerGradients(valid, inputShape: [7, 6, 8], batch: 2, seed: 21, epsilon: 1e-2)
        XCTAssertEqual(valid.method, .winograd)
        let same = Conv2D(5, kernelSize: 3, padding: .same, activation: .sigmoid)
        try checkLayerGradients(same, inputShape: [5, 9, 9], batch: 3, seed: 22, epsilon: 1e-2)
        XCTAssertEqual(same.method, .winograd)
        let plain = Conv2D(4, kernelSize: 3, useBias: false)
        try checkLayerGradients(plain, inputShape: [6, 6, 8], batch: 2, seed: 23, epsilon: 1e-2)
        XCTAssertEqual(plain.method, .winograd)
    }

    /// Winograd's method and im2col give the same outputs and gradients for the same weights,
    /// input and output gradient (up to rounding), batch split across threads.
    static func winogradMatchesIm2col() throws {
        for (shape, filters, padding, batch) in [([13, 13, 32], 64, Padding.valid, 5), ([6, 10, 19], 17, .same, 3),
                                                 ([3, 3, 8], 4, .same, 1), ([4, 5, 8], 3, .valid, 2),
                                                 ([7, 6, 8], 3, .valid, 2)] {
            try assertMethodsAgree(.winograd, inputShape: shape, filters: filters, kernel: 3, strides: 1,
                                   padding: padding, batch: batch)
        }
    }

    /// The direct method (windows of at most 32 values) against im2col: the first layer of the
    /// example CNN (28×28×1, 32 filters: four-pixel groups, the last one of a row shifted left),
    /// filter counts with a tail past the 16-wide blocks, padding, strides, three channels.
    static func directMatchesIm2col() throws {
        try assertMethodsAgree(.direct, inputShape: [28, 28, 1], filters: 32, kernel: 3, strides: 1, padding: .valid,
                               batch: 3)
        try assertMethodsAgree(.direct, inputShape: [9, 7, 3], filters: 17, kernel: 3, strides: 1, padding: .same,
                               batch: 2)
        try assertMethodsAgree(.direct, inputShape: [11, 10, 1], filters: 20, kernel: 5, strides: 2, padding: .same,
                               batch: 3)
        try assertMethodsAgree(.direct, inputShape: [6, 5, 2], filters: 5, kernel: 2, strides: 1, padding: .valid,
                               batch: 1)
    }

    private static func assertMethodsAgree(_ method: Conv2D.Method, inputShape shape: [Int], filters: Int, kernel: Int,
                                    strides: Int, padding: Padding, batch: Int,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        var layers: [Conv2D] = []
        for m in [Conv2D.Method.im2col, method] {
            let layer = Conv2D(filters, kernelSize: kernel, strides: strides, padding: padding, activation: .relu)
            layer.preferredMethod = m
            var rng = SplitMix64(seed: 31)
            try layer.build(inputShape: shape, maxBatch: batch + 2, rng: &rng)
            XCTAssertEqual(layer.method, m, file: file, line: line)
            for i in 0..<filters { layer.bias!.value[i] = Float(i % 5) * 0.05 - 0.1 }
            layers.append(layer)
        }
        let x = randomFloats(batch * layers[0].inputSize, seed: 32)
        let dy = randomFloats(batch * layers[0].outputSize, seed: 33)
        var results: [(output: [Float], dx: [Float], dKernel: [Float], dBias: [Float])] = []
        for layer in layers {
            x.withUnsafeBufferPointer { xp in
                layer.forward(xp.baseAddress!, batch: batch, training: true)
                let output = Array(UnsafeBufferPointer(start: layer.output, count: batch * layer.outputSize))
                var g = dy
                let dx = g.withUnsafeMutableBufferPointer { gp in
                    Array(UnsafeBufferPointer(start: layer.backward(xp.baseAddress!, outputGradient: gp.baseAddress!,
                                                                    batch: batch, needsInputGradient: true)!,
                                              count: batch * layer.inputSize))
                }
                results.append((output, dx, Array(UnsafeBufferPointer(start: layer.kernel.gradient!, count: layer.kernel.count)),
                                Array(UnsafeBufferPointer(start: layer.bias!.gradient!, count: filters))))
            }
        }
        func assertClose(_ a: [Float], _ b: [Float], _ what: String) {
            XCTAssertEqual(a.count, b.count, file: file, line: line)
            let scale = max(1, a.map { abs($0) }.max() ?? 0)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 2e-5 * scale, "\(method) \(what) for input \(shape), \(padding): differs by \(worst)",
                              file: file, line: line)
        }
        assertClose(results[0].output, results[1].output, "output")
        assertClose(results[0].dx, results[1].dx, "input gradient")
        assertClose(results[0].dKernel, results[1].dKernel, "kernel gradient")
        assertClose(results[0].dBias, results[1].dBias, "bias gradient")
        XCTAssertGreaterThan(results[1].output.filter { $0 > 0 }.count, results[1].output.count / 4, file: file, line: line)
    }

    static func maxPoolingGradients() throws {
        try checkLayerGradients(MaxPooling2D(), inputShape: [4, 6, 2], batch: 2)
        // 17 channels: one 16-wide vector and a scalar tail; 5x5 leaves a row and column uncovered.
        try checkLayerGradients(MaxPooling2D(), inputShape: [4, 4, 17], batch: 1, seed: 2)
        try checkLayerGradients(MaxPooling2D(), inputShape: [5, 5, 17], batch: 1, seed: 3)
        try checkLayerGradients(MaxPooling2D(poolSize: 3, strides: 2, padding: .same), inputShape: [5, 5, 3], batch: 2, seed: 4)
    }

    /// The input gradient is rewritten whole on every backward pass, the cells no window covers
    /// included: the layer below may overwrite it in place (its own backward takes it as its
    /// output gradient), and the next step reuses the buffer.
    static func maxPoolingGradientReplacesTheLastOne() throws {
        var rng = SplitMix64(seed: 0)
        for pool in [MaxPooling2D(), MaxPooling2D(poolSize: 3, strides: 2, padding: .same)] {
            try pool.build(inputShape: [5, 5, 17], maxBatch: 2, rng: &rng)
            let x = randomFloats(2 * pool.inputSize, seed: 41)
            for step in 0..<2 {
                var dy = randomFloats(2 * pool.outputSize, seed: 42 + UInt64(step))
                let expected = dy.reduce(0, +)
                let dx = x.withUnsafeBufferPointer { xp in
                    pool.forward(xp.baseAddress!, batch: 2, training: true)
                    return dy.withUnsafeMutableBufferPointer { dp in
                        pool.backward(xp.baseAddress!, outputGradient: dp.baseAddress!, batch: 2, needsInputGradient: true)!
                    }
                }
                XCTAssertEqual(UnsafeBufferPointer(start: dx, count: 2 * pool.inputSize).reduce(0, +), expected,
                               accuracy: 1e-4)
                if pool.poolSize == (2, 2) {
                    // Row 4 and column 4 lie outside every 2×2 window.
                    for n in 0..<2 {
                        for i in 0..<5 {
                            for c in 0..<17 {
                                XCTAssertEqual(dx[n * 425 + (4 * 5 + i) * 17 + c], 0)
                                XCTAssertEqual(dx[n * 425 + (i * 5 + 4) * 17 + c], 0)
                            }
                        }
                    }
                }
                // What the layer below may do to it.
                dx.update(repeating: 7, count: 2 * pool.inputSize)
            }
        }
    }

    static func maxPoolingValues() throws {
        var rng = SplitMix64(seed: 0)
        let pool = MaxPooling2D(poolSize: 2, padding: .same)
        try pool.build(inputShape: [3, 3, 1], maxBatch: 1, rng: &rng)
        XCTAssertEqual(pool.outputShape, [2, 2, 1])
        let x: [Float] = [-1, -2, -3, -4, -5, -6, -7, -8, -9]
        x.withUnsafeBufferPointer { pool.forward($0.baseAddress!, batch: 1, training: false) }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: pool.output, count: 4)), [-1, -3, -7, -9])
    }

    /// A mask made in parts across threads holds the bits one sequential generator gives:
    /// draw d of SplitMix64 decides values 2d and 2d + 1 (an odd count's last value takes half
    /// a draw), and the next batch continues the sequence.
    static func dropoutMaskFollowsOneSequentialGenerator() throws {
        var rng = SplitMix64(seed: 0)
        let layer = Dropout(0.3)
        try layer.build(inputShape: [10_003], maxBatch: 1, rng: &rng)
        layer.reseed(77)
        var reference = SplitMix64(seed: 77)
        let ones = [Float](repeating: 1, count: 10_003)
        let keepScale: Float = 1 / (1 - 0.3)
        let threshold = UInt64(Double(Float(0.3)) * 16_777_216)
        for _ in 0..<2 {
            ones.withUnsafeBufferPointer { layer.forward($0.baseAddress!, batch: 1, training: true) }
            var mismatches = 0
            var i = 0
            while i < 10_003 {
                let bits = reference.next()
                let first = (bits >> 40) >= threshold ? keepScale : 0
                if layer.output[i] != first { mismatches += 1 }
                if i + 1 < 10_003 {
                    let second = ((bits >> 8) & 0xFF_FFFF) >= threshold ? keepScale : 0
                    if layer.output[i + 1] != second { mismatches += 1 }
                }
                i += 2
            }
            XCTAssertEqual(mismatches, 0)
        }
    }

    static func dropoutGradientAndBehaviour() throws {
        try checkLayerGradients(Dropout(0.4), inputShape: [10], batch: 3)
        var rng = SplitMix64(seed: 0)
        let drop = Dropout(0.25)
        try drop.build(inputShape: [4000], maxBatch: 1, rng: &rng)
        drop.reseed(1)
        let x = [Float](repeating: 1, count: 4000)
        x.withUnsafeBufferPointer { drop.forward($0.baseAddress!, batch: 1, training: true) }
        let out = Array(UnsafeBufferPointer(start: drop.output, count: 4000))
        let kept = out.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        XCTAssertEqual(Double(kept.count) / 4000, 0.75, accuracy: 0.03)
        x.withUnsafeBufferPointer { drop.forward($0.baseAddress!, batch: 1, training: false) }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: drop.output, count: 4000)), x)
        XCTAssertThrowsError(try Dropout(1).build(inputShape: [2], maxBatch: 1, rng: &rng))
    }

    /// Adam's update (`trainer_adam_update`) on 37 weights, two 16-float vectors and a tail of
    /// 5, for three steps, against Keras's rule computed in Double (OptimizerTests checks the
    /// rule on three weights: the tail alone).
    static func adamFollowsKerasRuleOnVectors() throws {
        let n = 37
        let start = randomFloats(n, seed: 51)
        let gradients = (0..<3).map { randomFloats(n, seed: 52 + UInt64($0), scale: 0.5) }
        let p = Parameter(name: "w", shape: [n])
        p.setValues(start)
        let adam = Adam()
        adam.build([p])
        let lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7
        var w = start.map(Double.init), m = [Double](repeating: 0, count: n), v = m
        for (step, g) in gradients.enumerated() {
            for i in 0..<n { p.gradient![i] = g[i] }
            adam.step()
            let t = Double(step + 1)
            let alpha = lr * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t))
            for i in 0..<n {
                let gi = Double(g[i])
                m[i] += (gi - m[i]) * (1 - b1)
                v[i] += (gi * gi - v[i]) * (1 - b2)
                w[i] -= m[i] * alpha / (v[i].squareRoot() + eps)
            }
            let values = p.values
            XCTAssertEqual(values.count, n)
            for i in 0..<min(n, values.count) {
                XCTAssertEqual(Double(values[i]), w[i], accuracy: 1e-6 * max(1, abs(w[i])),
                               "weight \(i) after step \(step + 1)")
            }
        }
    }
}
