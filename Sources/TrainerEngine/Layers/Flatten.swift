/// Keras's `Flatten()`: one sample becomes a vector. Shares its input's memory (no copy).
public final class Flatten: Layer {
    public override init(name: String? = nil) { super.init(name: name) }

    public override var kerasClassName: String { "Flatten" }

    public override func computeOutputShape(_ inputShape: [Int]) throws -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        output = UnsafeMutablePointer(mutating: input)
    }

    public override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                                  batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        needsInputGradient ? outputGradient : nil
    }
}
