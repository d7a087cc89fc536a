/// Keras's `Activation(name)`: applies an activation function as a layer of its own.
public final class Activation: Layer {
    public let function: ActivationFunction
    private var outputBuffer: FloatBuffer!

    public init(_ function: ActivationFunction, name: String? = nil) {
        self.function = function
        super.init(name: name)
    }

    public override var kerasClassName: String { "Activation" }
    public override var outputActivation: ActivationFunction? { function }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] { inputShape }

    public override func allocateBuffers() {
        outputBuffer = FloatBuffer(count: maxBatch * outputSize)
        output = outputBuffer.pointer
    }

    private var width: Int { inputShape.lastDimension }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let n = batch * inputSize
        output.update(from: input, count: n)
        LayerMath.applyActivation(function, to: output, rows: n / width, columns: width,
                                  logits: logitsDestination(for: output))
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        guard needsInputGradient else { return nil }
        if !activationFusedWithLoss {
            let n = batch * inputSize
            function.backward(output: output, gradient: outputGradient, rows: n / width, width: width)
        }
        return outputGradient
    }
}
