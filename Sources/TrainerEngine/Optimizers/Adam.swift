#if canImport(Glibc)
import Glibc
#endif

/// Keras 3's `Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`:
///
///     t = iterations + 1
///     alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
///     m += (g - m) * (1 - beta_1)
///     v += (g² - v) * (1 - beta_2)
///     w -= alpha * m / (sqrt(v) + epsilon)
public final class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7) {
        self.beta1 = Float(beta1)
        self.beta2 = Float(beta2)
        self.epsilon = Float(epsilon)
        super.init(learningRate: learningRate)
    }

    public override var kerasClassName: String { "Adam" }
    public override var slotNames: [String] { ["momentum", "velocity"] }

    public override func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                count n: Int, slots i: Int, offset: Int, learningRate lr: Float) {
        let t = Float(iterations + 1)
        let alpha = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let m = (slot(i, 0) + offset), v = (slot(i, 1) + offset)
        let a1 = 1 - beta1, a2 = 1 - beta2, eps = epsilon
        var j = 0
        let a1v = FloatVector(repeating: a1), a2v = FloatVector(repeating: a2)
        let alphaV = FloatVector(repeating: alpha), epsV = FloatVector(repeating: eps)
        while j + FloatVector.scalarCount <= n {
            let gj = g.loadVector(at: j)
            var mj = m.loadVector(at: j)
            var vj = v.loadVector(at: j)
            mj += (gj - mj) * a1v
            vj += (gj * gj - vj) * a2v
            m.storeVector(mj, at: j)
            v.storeVector(vj, at: j)
            w.storeVector(w.loadVector(at: j) - (mj * alphaV) / (squareRoot(vj) + epsV), at: j)
            j += FloatVector.scalarCount
        }
        while j < n {
            let gj = g[j]
            let mj = m[j] + (gj - m[j]) * a1
            let vj = v[j] + (gj * gj - v[j]) * a2
            m[j] = mj
            v[j] = vj
            w[j] -= (mj * alpha) / (vj.squareRoot() + eps)
            j += 1
        }
    }
}
