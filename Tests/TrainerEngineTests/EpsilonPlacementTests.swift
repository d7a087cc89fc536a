import XCTest
@testable import TrainerEngine

/// Where each optimizer puts its epsilon, as Keras 3 does, checked with gradients so small
/// (1e-8) that epsilon (1e-7) dominates the denominator: placed elsewhere, the step would be
/// several times larger or smaller.
final class EpsilonPlacementTests: XCTestCase {
    private let gradients: [Double] = [1e-8, 3e-8, 2e-8]

    /// One weight, starting at 0, updated with `gradients` in turn; its value after each step.
    private func run(_ optimizer: Optimizer) -> [Double] {
        let p = Parameter(name: "w", shape: [1])
        p.setValues([0])
        optimizer.build([p])
        return gradients.map { g in
            p.gradient![0] = Float(g)
            optimizer.step()
            return Double(p.values[0])
        }
    }

    private func assertSteps(_ ours: [Double], _ keras: [Double], other: [Double],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, keras.count, file: file, line: line)
        for (step, (o, k)) in zip(ours, keras).enumerated() {
            XCTAssertEqual(o, k, accuracy: 1e-4 * abs(k), "step \(step + 1)", file: file, line: line)
        }
        // The test can tell the placements apart.
        XCTAssertGreaterThan(abs(other[0] - keras[0]), 0.1 * abs(keras[0]), file: file, line: line)
    }

    /// Adam: `alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t)`, `w -= alpha m / (sqrt(v) + epsilon)`:
    /// epsilon on the uncorrected sqrt(v), the bias corrections folded into the step size (not
    /// the paper's `m̂ / (sqrt(v̂) + epsilon)`).
    func testAdamAddsEpsilonToTheUncorrectedRoot() {
        let lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7
        func steps(paper: Bool) -> [Double] {
            var w = 0.0, m = 0.0, v = 0.0
            return gradients.enumerated().map { step, g in
                let t = Double(step + 1)
                m += (g - m) * (1 - b1)
                v += (g * g - v) * (1 - b2)
                if paper {
                    w -= lr * (m / (1 - pow(b1, t))) / ((v / (1 - pow(b2, t))).squareRoot() + eps)
                } else {
                    w -= lr * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t)) * m / (v.squareRoot() + eps)
                }
                return w
            }
        }
        assertSteps(run(Adam()), steps(paper: false), other: steps(paper: true))
    }

    /// RMSprop: `w -= lr g / sqrt(v + epsilon)`: epsilon inside the square root.
    func testRMSpropPutsEpsilonInsideTheSquareRoot() {
        let lr = 0.001, rho = 0.9, eps = 1e-7
        func steps(inside: Bool) -> [Double] {
            var w = 0.0, v = 0.0
            return gradients.map { g in
                v = rho * v + (1 - rho) * g * g
                w -= lr * g / (inside ? (v + eps).squareRoot() : v.squareRoot() + eps)
                return w
            }
        }
        assertSteps(run(RMSprop()), steps(inside: true), other: steps(inside: false))
    }

    /// SGD with Nesterov momentum: `m = momentum m - lr g`, `w += momentum m - lr g` with the
    /// new m (not `w += m`, and not the old m).
    func testNesterovUsesTheNewMomentum() {
        let lr = 0.01, mu = 0.9
        func steps(newMomentum: Bool) -> [Double] {
            var w = 0.0, m = 0.0
            return gradients.map { g in
                let old = m
                m = mu * m - lr * g
                w += mu * (newMomentum ? m : old) - lr * g
                return w
            }
        }
        assertSteps(run(SGD(learningRate: lr, momentum: mu, nesterov: true)), steps(newMomentum: true),
                    other: steps(newMomentum: false))
    }
}
