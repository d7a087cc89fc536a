/// Keras's `BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001)` over the last axis.
///
/// Training: normalise with the batch's mean and (biased) variance, then
/// `moving = moving * momentum + batch * (1 - momentum)` (during the forward pass, with
/// `1 - momentum` computed on the double and then made float32, as Keras computes it on the
/// Python float). Inference: normalise with the
/// moving statistics. Weights, in Keras's order: `gamma`, `beta` (trainable),
/// `moving_mean`, `moving_variance` (not trainable).
public final class BatchNormalization: Layer {
    public let momentum: Float
    /// `1 - momentum`, as Keras's float32 tensor holds it.
    let oneMinusMomentum: Float
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool

    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter!
    public private(set) var movingVariance: Parameter!
    private var outputBuffer: FloatBuffer!
    private var normalized: FloatBuffer!
    private var inverseStd: FloatBuffer!
    private var mean: FloatBuffer!
    private var sums: FloatBuffer!
    private var lastWasTraining = false

    public init(momentum: Double = 0.99, epsilon: Double = 1e-3, center: Bool = true, scale: Bool = true,
                name: String? = nil) {
        self.momentum = Float(momentum)
        oneMinusMomentum = Float(1 - momentum)
        self.epsilon = Float(epsilon)
        self.center = center
        self.scale = scale
        super.init(name: name)
    }

    public override var kerasClassName: String { "BatchNormalization" }

    private var features: Int { inputShape.lastDimension }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] { inputShape }

    public override var plannedWeightShapes: [[Int]] {
        Array(repeating: [features], count: 2 + (scale ? 1 : 0) + (center ? 1 : 0))
    }

    public override func createWeights(rng: inout SplitMix64) {
        let c = features
        if scale { gamma = addWeight("gamma", shape: [c], initializer: .ones, rng: &rng) }
        if center { beta = addWeight("beta", shape: [c], initializer: .zeros, rng: &rng) }
        movingMean = addWeight("moving_mean", shape: [c], initializer: .zeros, trainable: false, rng: &rng)
        movingVariance = addWeight("moving_variance", shape: [c], initializer: .ones, trainable: false, rng: &rng)
        inverseStd = FloatBuffer(count: c)
        mean = FloatBuffer(count: c)
        sums = FloatBuffer(count: 2 * c)
    }

    public override func allocateBuffers() {
        outputBuffer = FloatBuffer(count: maxBatch * outputSize)
        normalized = FloatBuffer(count: maxBatch * outputSize)
        output = outputBuffer.pointer
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let c = features
        let rows = batch * inputSize / c
        let mu = mean.pointer, inv = inverseStd.pointer
        lastWasTraining = training
        if training {
            // Mean and biased variance per feature, accumulated in two passes.
            mu.update(repeating: 0, count: c)
            for r in 0..<rows {
                let x = input + r * c
                for j in 0..<c { mu[j] += x[j] }
            }
            let invRows = 1 / Float(rows)
            for j in 0..<c { mu[j] *= invRows }
            let variance = sums.pointer
            variance.update(repeating: 0, count: c)
            for r in 0..<rows {
                let x = input + r * c
                for j in 0..<c {
                    let d = x[j] - mu[j]
                    variance[j] += d * d
                }
            }
            let mm = movingMean.value, mv = movingVariance.value
            for j in 0..<c {
                variance[j] *= invRows
                inv[j] = 1 / (variance[j] + epsilon).squareRoot()
                mm[j] = mm[j] * momentum + mu[j] * oneMinusMomentum
                mv[j] = mv[j] * momentum + variance[j] * oneMinusMomentum
            }
        } else {
            let mm = movingMean.value, mv = movingVariance.value
            for j in 0..<c {
                mu[j] = mm[j]
                inv[j] = 1 / (mv[j] + epsilon).squareRoot()
            }
        }
        let out = outputBuffer.pointer, xhat = normalized.pointer
        let g = gamma?.value, b = beta?.value
        for r in 0..<rows {
            let x = input + r * c, o = out + r * c, h = xhat + r * c
            for j in 0..<c {
                let v = (x[j] - mu[j]) * inv[j]
                h[j] = v
                o[j] = v * (g?[j] ?? 1) + (b?[j] ?? 0)
            }
        }
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient dy: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        let c = features
        let rows = batch * inputSize / c
        let xhat = normalized.pointer, inv = inverseStd.pointer
        let sumDy = sums.pointer, sumDyXhat = sums.pointer + c
        sumDy.update(repeating: 0, count: 2 * c)
        for r in 0..<rows {
            let d = dy + r * c, h = xhat + r * c
            for j in 0..<c {
                sumDy[j] += d[j]
                sumDyXhat[j] += d[j] * h[j]
            }
        }
        if let gamma { gamma.gradient!.update(from: sumDyXhat, count: c) }
        if let beta { beta.gradient!.update(from: sumDy, count: c) }
        guard needsInputGradient else { return nil }
        let g = gamma?.value
        if lastWasTraining {
            // dx = gamma * invStd / N * (N dy - Σdy - xhat Σ(dy xhat)), in place.
            let invRows = 1 / Float(rows)
            for r in 0..<rows {
                let d = dy + r * c, h = xhat + r * c
                for j in 0..<c {
                    let k = (g?[j] ?? 1) * inv[j]
                    d[j] = k * (d[j] - (sumDy[j] + h[j] * sumDyXhat[j]) * invRows)
                }
            }
        } else {
            for r in 0..<rows {
                let d = dy + r * c
                for j in 0..<c { d[j] *= (g?[j] ?? 1) * inv[j] }
            }
        }
        return dy
    }
}
