/// A layer of a `Sequential` model, working on batch-major float buffers (NHWC for images).
///
/// A layer is built once for a per-sample input shape and a maximum batch size; `build`
/// creates the weights and allocates every buffer the layer will need, so `forward` and
/// `backward` allocate nothing. Subclasses override `kerasClassName`, `computeOutputShape`,
/// `createWeights`, `allocateBuffers`, `forward` and `backward`.
open class Layer {
    /// Keras-style name (`dense`, `dense_1`, ...). Set by the model when none is given.
    public internal(set) var name: String
    var nameWasGiven: Bool

    /// Per-sample input shape (no batch axis), known after `build`.
    public internal(set) var inputShape: [Int] = []
    /// Per-sample output shape (no batch axis), known after `build`.
    public internal(set) var outputShape: [Int] = []
    /// Largest batch the buffers hold.
    public internal(set) var maxBatch = 0
    /// Weight tensors in Keras's order (trainable and non-trainable).
    public internal(set) var weights: [Parameter] = []

    /// The last forward pass's output: `batch * outputSize` floats. Valid after `forward`.
    public internal(set) var output: UnsafeMutablePointer<Float> = UnsafeMutablePointer(bitPattern: 8)!

    /// When set, `backward` receives d(loss)/d(pre-activation) instead of d(loss)/d(output):
    /// the loss already went through this layer's output activation (softmax with
    /// cross-entropy, sigmoid with binary cross-entropy).
    public internal(set) var activationFusedWithLoss = false

    /// The last forward pass's values before the output activation (`batch * outputSize`
    /// floats), kept only for the last layer of a model whose loss reads them (`keepLogits`):
    /// Keras computes cross-entropy after softmax or sigmoid from these logits.
    public var logits: UnsafePointer<Float>? { logitsBuffer.map { UnsafePointer($0.pointer) } }
    private var logitsBuffer: FloatBuffer?

    /// Makes `forward` keep its pre-activation values in `logits` (allocated here, and again
    /// when the batch grows), or stop keeping them.
    func keepLogits(_ keep: Bool) {
        logitsBuffer = keep && outputActivation != nil ? FloatBuffer(count: max(maxBatch, 1) * outputSize) : nil
    }

    /// Where the logits of the output values starting at `out` (a pointer into `output`) go,
    /// or nil when they are not kept. A layer calls this just before applying its activation.
    @inline(__always)
    final func logitsDestination(for out: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>? {
        guard let buffer = logitsBuffer else { return nil }
        return buffer.pointer + (out - output)
    }

    public init(name: String?) {
        self.name = name ?? ""
        nameWasGiven = name != nil
    }

    /// Keras's class name, shown by `summary()` (`Dense`, `Conv2D`, ...).
    open var kerasClassName: String { "Layer" }

    /// Keras's base for automatic names (`dense`, `conv2d`, `max_pooling2d`, ...).
    open var kerasNameBase: String { Layer.snakeCase(kerasClassName) }

    /// The activation applied last inside this layer, if any (for fusing with the loss).
    open var outputActivation: ActivationFunction? { nil }

    /// Floats in one sample's input.
    public var inputSize: Int { inputShape.elementCount }
    /// Floats in one sample's output.
    public var outputSize: Int { outputShape.elementCount }

    /// Trainable weights.
    public var trainableWeights: [Parameter] { weights.filter { $0.isTrainable } }
    /// Number of floats in all weights.
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } }

    /// The output shape for a given input shape; throws when the input does not fit.
    open func computeOutputShape(_ inputShape: [Int]) throws -> [Int] { inputShape }

    /// The shapes of the weights `createWeights` will make, known once `computeOutputShape`
    /// has run: what the layer's size is checked by before anything is allocated.
    open var plannedWeightShapes: [[Int]] { [] }

    /// Creates the weights (initialised from `rng`); `inputShape` and `outputShape` are set.
    open func createWeights(rng: inout SplitMix64) {}

    /// Allocates the buffers for `maxBatch` samples (called again when `maxBatch` grows).
    /// Must set `output` unless `forward` sets it.
    open func allocateBuffers() {}

    /// Reseeds the layer's own randomness (dropout masks).
    open func reseed(_ seed: UInt64) {}

    /// Computes `output` for `batch` samples of `input`.
    open func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {}

    /// Given d(loss)/d(output) in `outputGradient` (which this layer may overwrite), sets the
    /// weights' gradients (for the batch: they are replaced, not accumulated) and, when
    /// `needsInputGradient`, returns a pointer to d(loss)/d(input) (`batch * inputSize`
    /// floats, valid until the next backward). `input` is the `forward` input.
    open func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                       batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        nil
    }

    /// Builds the layer for `inputShape` (per sample) and `maxBatch` samples.
    public final func build(inputShape: [Int], maxBatch: Int, rng: inout SplitMix64) throws {
        if name.isEmpty { name = kerasNameBase }
        self.inputShape = inputShape
        self.outputShape = try computeOutputShape(inputShape)
        self.maxBatch = maxBatch
        try checkMemory()
        weights = []
        createWeights(rng: &rng)
        allocateBuffers()
    }

    /// Grows the buffers so they hold `batch` samples (nothing happens when they already do).
    public final func reserve(batch: Int) {
        guard batch > maxBatch else { return }
        maxBatch = batch
        allocateBuffers()
        if logitsBuffer != nil { keepLogits(true) }
    }

    /// Adds a weight tensor named `<layer>/<suffix>`.
    func addWeight(_ suffix: String, shape: [Int], initializer: Initializer, trainable: Bool = true,
                   rng: inout SplitMix64) -> Parameter {
        let p = Parameter(name: "\(name)/\(suffix)", shape: shape, trainable: trainable)
        initializer.fill(p, rng: &rng)
        weights.append(p)
        return p
    }

    /// Renames the layer (and its weights) to `newName`.
    func rename(_ newName: String) {
        for w in weights {
            if w.name.hasPrefix(name + "/") {
                w.name = newName + w.name.dropFirst(name.count)
            }
        }
        name = newName
    }

    /// "MaxPooling2D" -> "max_pooling2d", as Keras's `to_snake_case`.
    static func snakeCase(_ s: String) -> String {
        let c = Array(s)
        var out = ""
        for i in c.indices {
            if i > 0, c[i].isUppercase, c[i - 1] != "_" {
                let nextIsLower = i + 1 < c.count && c[i + 1].isLowercase
                if nextIsLower || c[i - 1].isLowercase { out.append("_") }
            }
            out.append(contentsOf: c[i].lowercased())
        }
        return out
    }
}

/// A layer whose configuration cannot work with its input.
public struct LayerError: Error, CustomStringConvertible {
    public let layer: String
    public let message: String
    public var description: String { "layer '\(layer)': \(message)" }
}
