import XCTest
@testable import TrainerEngine

/// Each optimizer against its Keras 3 update rule, computed by hand in Double for 3 steps.
final class OptimizerTests: XCTestCase {
    private let start: [Double] = [0.5, -1.0, 2.0]
    private let gradients: [[Double]] = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.1, 0.2]]

    /// Runs `optimizer` for the three gradients; returns the weights after each step.
    private func run(_ optimizer: Optimizer) -> [[Double]] {
        let p = Parameter(name: "w", shape: [3])
        p.setValues(start.map(Float.init))
        optimizer.build([p])
        var out: [[Double]] = []
        for g in gradients {
            for i in 0..<3 { p.gradient![i] = Float(g[i]) }
            optimizer.step()
            out.append(p.values.map(Double.init))
        }
        return out
    }

    /// Step by step, weight by weight; the steps and the weights must be as many (zip alone
    /// would compare the shorter one's elements only).
    private func assertClose(_ a: [[Double]], _ b: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "steps", file: file, line: line)
        for (step, (x, y)) in zip(a, b).enumerated() {
            XCTAssertEqual(x.count, y.count, "weights after step \(step + 1)", file: file, line: line)
            for (u, v) in zip(x, y) {
                XCTAssertEqual(u, v, accuracy: 1e-6 * max(1, abs(v)), "after step \(step + 1)", file: file, line: line)
            }
        }
    }

    func testPlainSGD() {
        let lr = 0.01
        var w = start
        var expected: [[Double]] = []
        for g in gradients {
            for i in 0..<3 { w[i] -= lr * g[i] }
            expected.append(w)
        }
        assertClose(run(SGD()), expected)
    }

    func testSGDMomentum() {
        let lr = 0.1, mu = 0.9
        var w = start, m = [0.0, 0, 0]
        var expected: [[Double]] = []
        for g in gradients {
            for i in 0..<3 {
                m[i] = mu * m[i] - lr * g[i]
                w[i] += m[i]
            }
            expected.append(w)
        }
        assertClose(run(SGD(learningRate: lr, momentum: mu)), expected)
    }

    func testSGDNesterov() {
        let lr = 0.1, mu = 0.9
        var w = start, m = [0.0, 0, 0]
        var expected: [[Double]] = []
        for g in gradients {
            for i in 0..<3 {
                m[i] = mu * m[i] - lr * g[i]
                w[i] += mu * m[i] - lr * g[i]
            }
            expected.append(w)
        }
        assertClose(run(SGD(learningRate: lr, momentum: mu, nesterov: true)), expected)
    }

    func testAdam() {
        let lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7
        var w = start, m = [0.0, 0, 0], v = [0.0, 0, 0]
        var expected: [[Double]] = []
        for (step, g) in gradients.enumerated() {
            let t = Double(step + 1)
            let alpha = lr * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t))
            for i in 0..<3 {
                m[i] += (g[i] - m[i]) * (1 - b1)
                v[i] += (g[i] * g[i] - v[i]) * (1 - b2)
                w[i] -= m[i] * alpha / (v[i].squareRoot() + eps)
            }
            expected.append(w)
        }
        let adam = Adam()
        assertClose(run(adam), expected)
        XCTAssertEqual(adam.iterations, 3)
    }

    func testRMSprop() {
        let lr = 0.001, rho = 0.9, eps = 1e-7
        var w = start, v = [0.0, 0, 0]
        var expected: [[Double]] = []
        for g in gradients {
            for i in 0..<3 {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i]
                w[i] -= lr * g[i] / (v[i] + eps).squareRoot()
            }
            expected.append(w)
        }
        assertClose(run(RMSprop()), expected)
    }

    func testRMSpropMomentumCentered() {
        let lr = 0.01, rho = 0.8, mu = 0.5, eps = 1e-7
        var w = start, v = [0.0, 0, 0], m = [0.0, 0, 0], a = [0.0, 0, 0]
        var expected: [[Double]] = []
        for g in gradients {
            for i in 0..<3 {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i]
                a[i] = rho * a[i] + (1 - rho) * g[i]
                let inc = lr * g[i] / (v[i] - a[i] * a[i] + eps).squareRoot()
                m[i] = mu * m[i] + inc
                w[i] -= m[i]
            }
            expected.append(w)
        }
        assertClose(run(RMSprop(learningRate: lr, rho: rho, momentum: mu, centered: true)), expected)
    }

    func testLearningRateChangeTakesEffectNextStep() {
        let p = Parameter(name: "w", shape: [1])
        p.setValues([1])
        let sgd = SGD(learningRate: 0.1)
        sgd.build([p])
        p.gradient![0] = 1
        sgd.step()
        XCTAssertEqual(p.values[0], 0.9, accuracy: 1e-7)
        sgd.learningRate = 0.5
        sgd.step()
        XCTAssertEqual(p.values[0], 0.4, accuracy: 1e-7)
        XCTAssertEqual(sgd.learningRate, Double(Float(0.5)))
    }

    func testControlValidatesLearningRate() throws {
        let control = TrainingControl(optimizer: Adam())
        try control.setLearningRate(0.5)
        XCTAssertEqual(control.learningRate, 0.5)
        XCTAssertThrowsError(try control.setLearningRate(-1))
        XCTAssertThrowsError(try control.setLearningRate(.nan))
        XCTAssertThrowsError(try TrainingControl().setLearningRate(0.1))
        XCTAssertEqual(control.learningRate, 0.5)
    }

    func testStateRoundTripContinuesIdentically() throws {
        func makeParam() -> Parameter {
            let p = Parameter(name: "dense/kernel", shape: [3])
            p.setValues(start.map(Float.init))
            return p
        }
        let p1 = makeParam(), a1 = Adam()
        a1.build([p1])
        for i in 0..<3 { p1.gradient![i] = Float(gradients[0][i]) }
        a1.step()
        let saved = a1.state()
        XCTAssertEqual(saved.map(\.name), ["iterations", "learning_rate", "dense/kernel/momentum", "dense/kernel/velocity"])

        let p2 = makeParam(), a2 = Adam()
        a2.build([p2])
        p2.setValues(p1.values)
        try a2.restoreState(Dictionary(uniqueKeysWithValues: saved.map { ($0.name, $0.values) }))
        XCTAssertEqual(a2.iterations, 1)
        for (p, a) in [(p1, a1), (p2, a2)] {
            for i in 0..<3 { p.gradient![i] = Float(gradients[1][i]) }
            a.step()
        }
        XCTAssertEqual(p1.values, p2.values)
        XCTAssertThrowsError(try a2.restoreState(["iterations": [1]]))
    }
}
