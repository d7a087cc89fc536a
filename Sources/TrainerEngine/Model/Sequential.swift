/// Keras's `Sequential`: a stack of layers, each feeding the next.
///
/// Use: `init(layers)`, `build(inputShape:maxBatch:seed:)`, `compile(optimizer:loss:metrics:)`,
/// then `fit`, `evaluate`, `predict` (in `Fit/`). All buffers are allocated by `build` (and
/// grown once by `fit` if its batch is larger), so a training step allocates nothing.
public final class Sequential {
    public let name: String
    public let layers: [Layer]
    /// Per-sample input shape, set by `build`.
    public private(set) var inputShape: [Int] = []
    /// Largest batch the buffers hold.
    public private(set) var maxBatch = 0
    public private(set) var isBuilt = false

    public private(set) var optimizer: Optimizer?
    public private(set) var loss: Loss?
    /// Metric names given to `compile` (resolved against the data's target shape by `fit`).
    public private(set) var metricNames: [String] = []

    /// Stop flag and learning rate, as the callbacks see them.
    public let control = TrainingControl()

    /// d(loss)/d(output), `maxBatch * outputSize` floats.
    private var lossGradient: FloatBuffer?
    /// Index of the first layer with trainable weights: backward stops there.
    private var firstTrainableLayer = 0
    /// Whether the last layer's activation is folded into the loss gradient.
    public private(set) var lossFusesActivation = false
    /// Input of the last forward pass.
    private var lastInput: UnsafePointer<Float>?

    /// Layers without a name get Keras's automatic names: `dense`, `dense_1`, ...
    public init(_ layers: [Layer], name: String = "sequential") {
        self.name = name
        self.layers = layers
        var used = Set(layers.filter(\.nameWasGiven).map(\.name))
        for layer in layers where !layer.nameWasGiven {
            let base = layer.kerasNameBase
            var candidate = base
            var n = 0
            while used.contains(candidate) {
                n += 1
                candidate = "\(base)_\(n)"
            }
            used.insert(candidate)
            layer.name = candidate
        }
    }

    /// Per-sample output shape.
    public var outputShape: [Int] { layers.isEmpty ? inputShape : layers[layers.count - 1].outputShape }
    public var outputSize: Int { outputShape.elementCount }
    public var inputSize: Int { inputShape.elementCount }

    /// Every weight tensor in layer order, Keras's `model.weights`.
    public var weights: [Parameter] { layers.flatMap(\.weights) }
    public var trainableWeights: [Parameter] { weights.filter(\.isTrainable) }

    /// Builds every layer for samples of `inputShape` and batches up to `maxBatch`; weights
    /// are initialised from `seed` (same seed, same weights).
    public func build(inputShape: [Int], maxBatch: Int = 32, seed: UInt64 = 0) throws {
        guard !layers.isEmpty else { throw ModelError("the model has no layers") }
        guard maxBatch > 0 else { throw ModelError("maxBatch must be positive") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ModelError("input shape \(inputShape) must have positive extents")
        }
        var rng = SplitMix64(seed: seed)
        var shape = inputShape
        for layer in layers {
            try layer.build(inputShape: shape, maxBatch: maxBatch, rng: &rng)
            shape = layer.outputShape
        }
        let names = weights.map(\.name)
        if Set(names).count != names.count {
            throw ModelError("two layers share a name: weight names \(names)")
        }
        self.inputShape = inputShape
        self.maxBatch = maxBatch
        lossGradient = FloatBuffer(count: maxBatch * outputSize)
        firstTrainableLayer = layers.firstIndex { !$0.trainableWeights.isEmpty } ?? layers.count
        isBuilt = true
        if let optimizer { optimizer.build(trainableWeights) }
        updateFusion()
    }

    /// Grows every buffer to hold `batch` samples (no-op when they already do).
    public func reserve(batch: Int) {
        guard isBuilt, batch > maxBatch else { return }
        for layer in layers { layer.reserve(batch: batch) }
        maxBatch = batch
        lossGradient = FloatBuffer(count: batch * outputSize)
    }

    /// Sets the optimizer, the loss and the metric names (Keras's `compile`).
    public func compile(optimizer: Optimizer, loss: Loss, metrics: [String] = []) {
        self.optimizer = optimizer
        self.loss = loss
        self.metricNames = metrics
        control.optimizer = optimizer
        if isBuilt { optimizer.build(trainableWeights) }
        updateFusion()
    }

    private func updateFusion() {
        for layer in layers {
            layer.activationFusedWithLoss = false
            layer.keepLogits(false)
        }
        lossFusesActivation = false
        guard isBuilt, let loss, let last = layers.last, let activation = last.outputActivation,
              loss.fuses(with: activation) else { return }
        last.activationFusedWithLoss = true
        last.keepLogits(true)
        lossFusesActivation = true
    }

    /// The last layer's values before its activation when the loss reads them (softmax with
    /// cross-entropy, sigmoid with binary cross-entropy: Keras computes these from the logits).
    private var lossLogits: UnsafePointer<Float>? { lossFusesActivation ? layers[layers.count - 1].logits : nil }

    /// Reseeds the layers' randomness (dropout) for one epoch of a run seeded with `seed`.
    /// Reseeded at every step, from the seed, epoch and step alone, so a run resumed in the
    /// middle of an epoch draws the same dropout masks as one never interrupted.
    func reseedLayers(seed: UInt64, epoch: Int, step: Int = 0) {
        let position = (UInt64(epoch) &* 0x9E37_79B9) ^ (UInt64(step) &* 0xC2B2_AE3D_27D4_EB4F)
        for i in 0..<layers.count {
            layers[i].reseed(seed ^ position ^ (UInt64(i + 1) &* 0x85EB_CA6B_0000_0001))
        }
    }

    /// Runs the layers on `batch` samples; returns the output (`batch * outputSize` floats,
    /// valid until the next forward).
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
        precondition(isBuilt && batch <= maxBatch, "forward: model not built or batch \(batch) > \(maxBatch)")
        lastInput = input
        var x = input
        for i in 0..<layers.count {
            let layer = layers[i]
            layer.forward(x, batch: batch, training: training)
            x = UnsafePointer(layer.output)
        }
        return x
    }

    /// Back-propagates from d(loss)/d(output) in the model's loss-gradient buffer, filling
    /// every trainable weight's gradient. Call after `forward(..., training: true)`.
    func backward(batch: Int) {
        var g = lossGradient!.pointer
        var i = layers.count - 1
        while i >= firstTrainableLayer {
            let input = i == 0 ? lastInput! : UnsafePointer(layers[i - 1].output)
            guard let next = layers[i].backward(input, outputGradient: g, batch: batch,
                                                needsInputGradient: i > firstTrainableLayer) else { break }
            g = next
            i -= 1
        }
    }

    /// One optimisation step on `batch` samples; returns the batch's mean loss and updates
    /// `metrics` with the predictions made before the update.
    public func trainStep(input: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                          metrics: [Metric] = []) -> Double {
        guard let optimizer else { preconditionFailure("trainStep: model not compiled") }
        let value = gradientStep(input: input, target: target, batch: batch, metrics: metrics)
        optimizer.step()
        return value
    }

    /// A training step without the optimizer's update: forward, loss, metrics, backward, every
    /// trainable weight's gradient filled (data-parallel training averages them before the
    /// update). Returns the batch's mean loss.
    func gradientStep(input: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                      metrics: [Metric]) -> Double {
        guard let loss else { preconditionFailure("trainStep: model not compiled") }
        let out = forward(input, batch: batch, training: true)
        let shape = outputShape
        let value = loss.compute(prediction: out, logits: lossLogits, target: target, batch: batch,
                                 outputShape: shape, gradient: lossGradient!.pointer, fused: lossFusesActivation)
        // By index: a for-in loop over an array allocates in a debug build (see ShapeSizes).
        for i in 0..<metrics.count {
            metrics[i].update(prediction: out, target: target, batch: batch, outputShape: shape)
        }
        backward(batch: batch)
        return value
    }

    /// Loss (and metrics) of `batch` samples in inference mode, without updating anything.
    public func testStep(input: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                         metrics: [Metric] = []) -> Double {
        guard let loss else { preconditionFailure("testStep: model not compiled") }
        let out = forward(input, batch: batch, training: false)
        let shape = outputShape
        for i in 0..<metrics.count {
            metrics[i].update(prediction: out, target: target, batch: batch, outputShape: shape)
        }
        return loss.compute(prediction: out, logits: lossLogits, target: target, batch: batch, outputShape: shape,
                            gradient: nil, fused: false)
    }

    /// Computes the loss gradient and backward pass without an optimizer step (for
    /// gradient checks); returns the loss.
    public func computeGradients(input: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int,
                                 training: Bool = true) -> Double {
        guard let loss else { preconditionFailure("computeGradients: model not compiled") }
        let out = forward(input, batch: batch, training: training)
        let value = loss.compute(prediction: out, logits: lossLogits, target: target, batch: batch,
                                 outputShape: outputShape, gradient: lossGradient!.pointer, fused: lossFusesActivation)
        backward(batch: batch)
        return value
    }
}

/// A model that cannot be built, compiled or run as asked.
public struct ModelError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
