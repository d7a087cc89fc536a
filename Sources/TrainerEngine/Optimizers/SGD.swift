/// Keras 3's `SGD(learning_rate=0.01, momentum=0.0, nesterov=False)`:
///
///     without momentum: w -= lr * g
///     with momentum:    m = momentum * m - lr * g
///                       w += m                         (plain)
///                       w += momentum * m - lr * g     (nesterov, with the new m)
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    public init(learningRate: Double = 0.01, momentum: Double = 0, nesterov: Bool = false) {
        self.momentum = Float(momentum)
        self.nesterov = nesterov
        super.init(learningRate: learningRate)
    }

    public override var kerasClassName: String { "SGD" }
    public override var slotNames: [String] { momentum != 0 ? ["momentum"] : [] }

    public override func update(_ w: UnsafeMutablePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                count n: Int, slots i: Int, offset: Int, learningRate lr: Float) {
        guard momentum != 0 else {
            for j in 0..<n { w[j] -= lr * g[j] }
            return
        }
        let m = (slot(i, 0) + offset)
        let mu = momentum
        if nesterov {
            for j in 0..<n {
                let mj = mu * m[j] - lr * g[j]
                m[j] = mj
                w[j] += mu * mj - lr * g[j]
            }
        } else {
            for j in 0..<n {
                let mj = mu * m[j] - lr * g[j]
                m[j] = mj
                w[j] += mj
            }
        }
    }
}
