/// Keras 3's `RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)`:
///
///     v = rho * v + (1 - rho) * g²
///     centered: a = rho * a + (1 - rho) * g;  denominator = v - a² + epsilon
///     else:     denominator = v + epsilon
///     increment = lr * g / sqrt(denominator)
///     momentum > 0: m = momentum * m + increment;  w -= m
///     else:         w -= increment
///
/// `1 - rho` is computed on the double and then made float32, as Keras computes it on the
/// Python float.
public final class RMSprop: Optimizer {
    public let rho: Float
    public let momentum: Float
    public let epsilon: Float
    public let centered: Bool
    /// `1 - rho`, as Keras's float32 tensor holds it.
    let oneMinusRho: Float

    public init(learningRate: Double = 0.001, rho: Double = 0.9, momentum: Double = 0,
                epsilon: Double = 1e-7, centered: Bool = false) {
        oneMinusRho = Float(1 - rho)
        self.rho = Float(rho)
        self.momentum = Float(momentum)
        self.epsilon = Float(epsilon)
        self.centered = centered
        super.init(learningRate: learningRate)
    }

    public override var kerasClassName: String { "RMSprop" }
    public override var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    public override func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                count n: Int, slots i: Int, offset: Int, learningRate lr: Float) {
        let v = (slot(i, 0) + offset)
        let rho = self.rho, oneMinusRho = self.oneMinusRho, eps = epsilon
        if !centered && momentum == 0 {
            let rhoV = FloatVector(repeating: rho), oneMinusRhoV = FloatVector(repeating: oneMinusRho)
            let epsV = FloatVector(repeating: eps), lrV = FloatVector(repeating: lr)
            var j = 0
            while j + FloatVector.scalarCount <= n {
                let gj = g.loadVector(at: j)
                let vj = rhoV * v.loadVector(at: j) + oneMinusRhoV * gj * gj
                v.storeVector(vj, at: j)
                w.storeVector(w.loadVector(at: j) - lrV * gj / squareRoot(vj + epsV), at: j)
                j += FloatVector.scalarCount
            }
            while j < n {
                let vj = rho * v[j] + oneMinusRho * g[j] * g[j]
                v[j] = vj
                w[j] -= lr * g[j] / (vj + eps).squareRoot()
                j += 1
            }
            return
        }
        let m: UnsafeMutablePointer<Float>? = momentum > 0 ? (slot(i, 1) + offset) : nil
        let a: UnsafeMutablePointer<Float>? = centered ? (slot(i, momentum > 0 ? 2 : 1) + offset) : nil
        for j in 0..<n {
            let gj = g[j]
            let vj = rho * v[j] + oneMinusRho * gj * gj
            v[j] = vj
            var denominator = vj + eps
            if let a {
                let aj = rho * a[j] + oneMinusRho * gj
                a[j] = aj
                denominator = vj - aj * aj + eps
            }
            let increment = lr * gj / denominator.squareRoot()
            if let m {
                let mj = momentum * m[j] + increment
                m[j] = mj
                w[j] -= mj
            } else {
                w[j] -= increment
            }
        }
    }
}
