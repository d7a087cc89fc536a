import XCTest
import TrainerData
@testable import TrainerEngine

/// Keras computes cross-entropy after a softmax (or sigmoid) output from the logits, as
/// TensorFlow's `*_cross_entropy_with_logits`: `log Σ exp(z) - z[y]`, never clipped, where the
/// probabilities would be clipped at 1e-7 (a loss of at most 16.12 per sample).
final class LogitsLossTests: XCTestCase {
    /// `log Σ exp(z) - z[y]` in Double.
    private func reference(_ z: [Double], _ y: Int) -> Double {
        let m = z.max()!
        return log(z.map { exp($0 - m) }.reduce(0, +)) + m - z[y]
    }

    private func softmax(_ z: [Float], width: Int) -> [Float] {
        var p = z
        p.withUnsafeMutableBufferPointer { ActivationFunction.softmax.apply($0.baseAddress!, rows: z.count / width, width: width) }
        return p
    }

    private func value(_ loss: Loss, logits z: [Float], prediction p: [Float], target: [Float], batch: Int,
                       outputShape: [Int], gradient: inout [Float]) -> Double {
        p.withUnsafeBufferPointer { pp in
            z.withUnsafeBufferPointer { zp in
                target.withUnsafeBufferPointer { tp in
                    gradient.withUnsafeMutableBufferPointer { gp in
                        loss.compute(prediction: pp.baseAddress!, logits: zp.baseAddress!, target: tp.baseAddress!,
                                     batch: batch, outputShape: outputShape, gradient: gp.baseAddress!)
                    }
                }
            }
        }
    }

    func testSparseCategoricalCrossentropyFromLogitsIsLogSumExpMinusTheTargetLogit() {
        // The second sample is confidently wrong: p[y] = e^-40, far below the 1e-7 clip.
        let z: [Float] = [2, -1, 0.5, 40, 0, -3]
        let y: [Float] = [0, 2]
        var g = [Float](repeating: 0, count: 6)
        let p = softmax(z, width: 3)
        let v = value(SparseCategoricalCrossentropy(), logits: z, prediction: p, target: y, batch: 2,
                      outputShape: [3], gradient: &g)
        let expected = (reference([2, -1, 0.5], 0) + reference([40, 0, -3], 2)) / 2
        XCTAssertEqual(v, expected, accuracy: 1e-5 * expected)
        XCTAssertGreaterThan(v, (reference([2, -1, 0.5], 0) + 16.2) / 2, "not clipped at 1e-7")
        // The gradient with respect to the logits: (p - onehot(y)) / batch.
        for j in 0..<6 {
            let onehot: Float = (j == 0 || j == 5) ? 1 : 0
            XCTAssertEqual(g[j], (p[j] - onehot) / 2, accuracy: 1e-7)
        }
    }

    func testCategoricalCrossentropyFromLogits() {
        let z: [Float] = [1, -30, 2, 0.5]
        let y: [Float] = [0, 1, 0, 0]
        var g = [Float](repeating: 0, count: 4)
        let v = value(CategoricalCrossentropy(), logits: z, prediction: softmax(z, width: 4), target: y, batch: 1,
                      outputShape: [4], gradient: &g)
        let expected = reference([1, -30, 2, 0.5], 1)
        XCTAssertEqual(v, expected, accuracy: 1e-5 * expected)
        XCTAssertGreaterThan(v, 30, "not clipped at 1e-7")
    }

    func testBinaryCrossentropyFromLogits() {
        let x: [Float] = [-30, 2, 0.5, 25]
        let y: [Float] = [1, 0, 1, 0]
        var p = x
        p.withUnsafeMutableBufferPointer { ActivationFunction.sigmoid.apply($0.baseAddress!, rows: 2, width: 2) }
        var g = [Float](repeating: 0, count: 4)
        let v = value(BinaryCrossentropy(), logits: x, prediction: p, target: y, batch: 2, outputShape: [2], gradient: &g)
        // max(x, 0) - x y + log(1 + exp(-|x|)) per value, averaged.
        let expected = zip(x, y).map { x, y -> Double in
            let x = Double(x), y = Double(y)
            return max(x, 0) - x * y + log1p(exp(-abs(x)))
        }.reduce(0, +) / 4
        XCTAssertEqual(v, expected, accuracy: 1e-5 * expected)
        XCTAssertGreaterThan(v, 50.0 / 4, "not clipped at 1e-7")
        for i in 0..<4 { XCTAssertEqual(g[i], (p[i] - y[i]) / 4, accuracy: 1e-7) }
    }

    /// Through a model: the loss `evaluate` and `fit` report comes from the last layer's logits,
    /// whether the softmax is the Dense layer's activation or an Activation layer of its own.
    func testAModelsLossComesFromTheLogitsOfItsSoftmaxOutput() throws {
        for separateActivation in [false, true] {
            let layers: [Layer] = separateActivation
                ? [Dense(3, name: "out"), Activation(.softmax)]
                : [Dense(3, activation: .softmax, name: "out")]
            let model = Sequential(layers)
            try model.build(inputShape: [2], maxBatch: 4)
            model.compile(optimizer: SGD(learningRate: 0), loss: SparseCategoricalCrossentropy())
            // Logits z = x · kernel: sample (1, 0) gets (20, 0, -20), sample (0, 1) gets (0, 0, 0).
            let dense = model.layers[0] as! Dense
            dense.kernel.setValues([20, 0, -20, 0, 0, 0])
            let data = ArrayDataset(features: [1, 0, 0, 1], featureShape: [2], targets: [2, 1], classCount: 3)
            let expected = (reference([20, 0, -20], 2) + reference([0, 0, 0], 1)) / 2
            let logs = try model.evaluate(data, batchSize: 2)
            XCTAssertEqual(logs["loss"]!, expected, accuracy: 1e-5 * expected, "evaluate, separate: \(separateActivation)")
            let history = try model.fit(train: data, epochs: 1, batchSize: 2, shuffle: false)
            XCTAssertEqual(history["loss"].first ?? .nan, expected, accuracy: 1e-5 * expected,
                           "fit, separate: \(separateActivation)")
        }
    }
}
