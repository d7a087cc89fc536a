import CTrainerKernels
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
///
/// The loop over the weights is `trainer_adam_update` (CTrainerKernels/optimizers.c).
///
/// The constants are float32 as in Keras, where `1 - beta_1` and `1 - beta_2` are computed on
/// the Python floats and only then made float32: `Float(1 - 0.999)`, not `1 - Float(0.999)`,
/// which is 1.3e-5 smaller and makes every velocity that much smaller.
public final class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// `1 - beta_1` and `1 - beta_2`, as Keras's float32 tensors hold them.
    let oneMinusBeta1: Float
    let oneMinusBeta2: Float

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7) {
        self.beta1 = Float(beta1)
        self.beta2 = Float(beta2)
        self.epsilon = Float(epsilon)
        oneMinusBeta1 = Float(1 - beta1)
        oneMinusBeta2 = Float(1 - beta2)
        super.init(learningRate: learningRate)
    }

    public override var kerasClassName: String { "Adam" }
    public override var slotNames: [String] { ["momentum", "velocity"] }

    public override func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                count n: Int, slots i: Int, offset: Int, learningRate lr: Float) {
        let t = Float(iterations + 1)
        let alpha = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let m = (slot(i, 0) + offset), v = (slot(i, 1) + offset)
        trainer_adam_update(w, g, m, v, n, oneMinusBeta1, oneMinusBeta2, alpha, epsilon)
    }
}
