import XCTest
@testable import TrainerEngine

final class LossTests: XCTestCase {
    /// Finite differences of the loss value against its gradient with respect to the prediction.
    private func checkLoss(_ loss: Loss, prediction: [Float], target: [Float], batch: Int, outputShape: [Int],
                           file: StaticString = #filePath, line: UInt = #line) {
        var p = prediction
        var g = [Float](repeating: 0, count: p.count)
        func value() -> Double {
            p.withUnsafeBufferPointer { pp in
                target.withUnsafeBufferPointer { tp in
                    loss.compute(prediction: pp.baseAddress!, target: tp.baseAddress!, batch: batch,
                                 outputShape: outputShape, gradient: nil, fused: false)
                }
            }
        }
        _ = p.withUnsafeBufferPointer { pp in
            target.withUnsafeBufferPointer { tp in
                g.withUnsafeMutableBufferPointer { gp in
                    loss.compute(prediction: pp.baseAddress!, target: tp.baseAddress!, batch: batch,
                                 outputShape: outputShape, gradient: gp.baseAddress!, fused: false)
                }
            }
        }
        let eps: Float = 1e-3
        for i in 0..<p.count {
            let saved = p[i]
            p[i] = saved + eps
            let plus = value()
            p[i] = saved - eps
            let minus = value()
            p[i] = saved
            let numeric = (plus - minus) / Double(2 * eps)
            XCTAssertEqual(Double(g[i]), numeric, accuracy: 2e-3 * max(1, abs(numeric)),
                           "\(loss.name) d/dp[\(i)]", file: file, line: line)
        }
    }

    /// Fused with an activation: gradient with respect to logits z, where p = activation(z).
    private func checkFused(_ loss: Loss, activation: ActivationFunction, logits: [Float], target: [Float],
                            batch: Int, outputShape: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let width = outputShape.last!
        var z = logits
        func probabilities() -> [Float] {
            var p = z
            p.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, rows: z.count / width, width: width) }
            return p
        }
        func value() -> Double {
            let p = probabilities()
            return p.withUnsafeBufferPointer { pp in
                target.withUnsafeBufferPointer { tp in
                    loss.compute(prediction: pp.baseAddress!, target: tp.baseAddress!, batch: batch,
                                 outputShape: outputShape, gradient: nil, fused: false)
                }
            }
        }
        var g = [Float](repeating: 0, count: z.count)
        let p = probabilities()
        _ = p.withUnsafeBufferPointer { pp in
            target.withUnsafeBufferPointer { tp in
                g.withUnsafeMutableBufferPointer { gp in
                    loss.compute(prediction: pp.baseAddress!, target: tp.baseAddress!, batch: batch,
                                 outputShape: outputShape, gradient: gp.baseAddress!, fused: true)
                }
            }
        }
        let eps: Float = 1e-3
        for i in 0..<z.count {
            let saved = z[i]
            z[i] = saved + eps
            let plus = value()
            z[i] = saved - eps
            let minus = value()
            z[i] = saved
            let numeric = (plus - minus) / Double(2 * eps)
            XCTAssertEqual(Double(g[i]), numeric, accuracy: 2e-3, "\(loss.name) fused d/dz[\(i)]",
                           file: file, line: line)
        }
    }

    private func softmaxRows(_ z: [Float], width: Int) -> [Float] {
        var p = z
        p.withUnsafeMutableBufferPointer { ActivationFunction.softmax.apply($0.baseAddress!, rows: z.count / width, width: width) }
        return p
    }

    func testSparseCategoricalCrossentropyValue() {
        let p: [Float] = [0.7, 0.2, 0.1, 0.1, 0.1, 0.8]
        let y: [Float] = [0, 2]
        let v = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            SparseCategoricalCrossentropy().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 2,
                                                    outputShape: [3], gradient: nil, fused: false) } }
        XCTAssertEqual(v, (-log(0.7) - log(0.8)) / 2, accuracy: 1e-6)
    }

    func testSparseCategoricalCrossentropyClipsZero() {
        let p: [Float] = [1, 0]
        let y: [Float] = [1]
        let v = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            SparseCategoricalCrossentropy().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 1,
                                                    outputShape: [2], gradient: nil, fused: false) } }
        XCTAssertEqual(v, -log(1e-7), accuracy: 1e-3)
    }

    func testSparseCategoricalCrossentropyGradients() {
        let p = softmaxRows(randomFloats(12, seed: 3), width: 4)
        checkLoss(SparseCategoricalCrossentropy(), prediction: p, target: [1, 3, 0], batch: 3, outputShape: [4])
        checkFused(SparseCategoricalCrossentropy(), activation: .softmax, logits: randomFloats(12, seed: 4),
                   target: [1, 3, 0], batch: 3, outputShape: [4])
    }

    func testSparseCategoricalCrossentropyCountsInvalidTargets() {
        let loss = SparseCategoricalCrossentropy()
        let p: [Float] = [0.5, 0.5]
        let y: [Float] = [2]
        _ = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            loss.compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 1, outputShape: [2],
                         gradient: nil, fused: false) } }
        XCTAssertEqual(loss.invalidTargets, 1)
    }

    func testCategoricalCrossentropyGradients() {
        let p = softmaxRows(randomFloats(8, seed: 5), width: 4)
        let y: [Float] = [0, 1, 0, 0, 0.25, 0.25, 0.5, 0]
        checkLoss(CategoricalCrossentropy(), prediction: p, target: y, batch: 2, outputShape: [4])
        checkFused(CategoricalCrossentropy(), activation: .softmax, logits: randomFloats(8, seed: 6),
                   target: y, batch: 2, outputShape: [4])
        // Unnormalised predictions go through Keras's renormalisation.
        checkLoss(CategoricalCrossentropy(), prediction: p.map { $0 * 1.7 }, target: y, batch: 2, outputShape: [4])
    }

    func testCategoricalCrossentropyValue() {
        let p: [Float] = [0.2, 0.3, 0.5]
        let y: [Float] = [0, 0, 1]
        let v = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            CategoricalCrossentropy().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 1,
                                              outputShape: [3], gradient: nil, fused: false) } }
        XCTAssertEqual(v, -log(0.5), accuracy: 1e-6)
    }

    func testBinaryCrossentropy() {
        let p: [Float] = [0.9, 0.2, 0.6, 0.4]
        let y: [Float] = [1, 0, 0, 1]
        let v = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            BinaryCrossentropy().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 2,
                                         outputShape: [2], gradient: nil, fused: false) } }
        let expected = -(log(0.9) + log(0.8) + log(0.4) + log(0.4)) / 4
        XCTAssertEqual(v, expected, accuracy: 1e-6)
        checkLoss(BinaryCrossentropy(), prediction: p, target: y, batch: 2, outputShape: [2])
        checkFused(BinaryCrossentropy(), activation: .sigmoid, logits: randomFloats(6, seed: 8, scale: 2),
                   target: [1, 0, 1, 1, 0, 0], batch: 3, outputShape: [2])
    }

    func testMeanSquaredAndAbsoluteError() {
        let p: [Float] = [1, 2, 3, 4]
        let y: [Float] = [0.5, 2.5, 3, 6]
        let mse = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            MeanSquaredError().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 2,
                                       outputShape: [2], gradient: nil, fused: false) } }
        XCTAssertEqual(mse, (0.25 + 0.25 + 0 + 4) / 4, accuracy: 1e-6)
        let mae = p.withUnsafeBufferPointer { pp in y.withUnsafeBufferPointer { yp in
            MeanAbsoluteError().compute(prediction: pp.baseAddress!, target: yp.baseAddress!, batch: 2,
                                        outputShape: [2], gradient: nil, fused: false) } }
        XCTAssertEqual(mae, (0.5 + 0.5 + 0 + 2) / 4, accuracy: 1e-6)
        checkLoss(MeanSquaredError(), prediction: randomFloats(6, seed: 9), target: randomFloats(6, seed: 10),
                  batch: 3, outputShape: [2])
        checkLoss(MeanAbsoluteError(), prediction: randomFloats(6, seed: 11), target: randomFloats(6, seed: 12),
                  batch: 2, outputShape: [3])
    }

    func testNamedLosses() {
        for name in Losses.names { XCTAssertNotNil(Losses.named(name), name) }
        XCTAssertNil(Losses.named("hinge_of_doom"))
    }
}
