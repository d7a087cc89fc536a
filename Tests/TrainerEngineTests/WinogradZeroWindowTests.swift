import XCTest
@testable import TrainerEngine

/// Winograd's F(4×4, 3×3) mixes a whole 6×6 input tile into every output of its 4×4 block, so
/// an output whose own 3×3 window holds only zeros would come out as the bias plus rounding
/// noise from the tile's other values. Keras (a sum over the window) gives exactly the bias,
/// and ReLU's gradient stops at exactly 0: with zero biases, as on a first step over images
/// with blank borders, the noise would open ReLU's gate where Keras's stays shut.
final class WinogradZeroWindowTests: XCTestCase {
    /// 32 channels, 13×13 (the example CNN's second convolution): the left half of every image
    /// is zeros, the right half values of both signs, so tiles straddle the edge.
    private func layer(_ method: Conv2D.Method, padding: Padding) throws -> Conv2D {
        let conv = Conv2D(16, kernelSize: 3, padding: padding, activation: .relu)
        conv.preferredMethod = method
        var rng = SplitMix64(seed: 5)
        try conv.build(inputShape: [13, 13, 32], maxBatch: 2, rng: &rng)
        XCTAssertEqual(conv.method, method)
        return conv
    }

    private func input() -> [Float] {
        let values = randomFloats(2 * 13 * 13 * 32, seed: 9)
        return values.enumerated().map { i, v in ((i / 32) % 13) < 7 ? 0 : v }
    }

    func testOutputsOfZeroWindowsAreExactlyTheBiasThroughReLU() throws {
        for padding in [Padding.valid, .same] {
            let x = input()
            var outputs: [[Float]] = []
            var biasGradients: [[Float]] = []
            for method in [Conv2D.Method.im2col, .winograd] {
                let conv = try layer(method, padding: padding)
                x.withUnsafeBufferPointer { conv.forward($0.baseAddress!, batch: 2, training: true) }
                let count = 2 * conv.outputSize
                outputs.append(Array(UnsafeBufferPointer(start: conv.output, count: count)))
                var dy = [Float](repeating: 1, count: count)
                x.withUnsafeBufferPointer { xp in
                    dy.withUnsafeMutableBufferPointer { _ = conv.backward(xp.baseAddress!, outputGradient: $0.baseAddress!,
                                                                         batch: 2, needsInputGradient: false) }
                }
                biasGradients.append(conv.bias!.values)
            }
            // Where im2col gives exactly 0 (a zero window, zero bias, through ReLU), so does Winograd.
            let zeros = outputs[0].indices.filter { outputs[0][$0] == 0 }
            XCTAssertGreaterThan(zeros.count, outputs[0].count / 4, "\(padding): the test has zero windows")
            let leaks = zeros.filter { outputs[1][$0] != 0 }
            XCTAssertEqual(leaks.count, 0, "\(padding): Winograd outputs \(leaks.prefix(3).map { outputs[1][$0] }) where the window is zeros")
            // ReLU's gate is the same, so the bias gradients (counts of open outputs) agree.
            XCTAssertEqual(biasGradients[1], biasGradients[0], "\(padding)")
        }
    }
}
