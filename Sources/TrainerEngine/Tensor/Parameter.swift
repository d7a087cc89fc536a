/// One weight tensor of a layer: its values and, when trainable, its gradient.
///
/// Both buffers are allocated once when the layer is built and live as long as the layer.
/// Names are layer-qualified as Keras writes them: `dense/kernel`, `batch_normalization/moving_mean`.
public final class Parameter {
    /// Layer-qualified name, e.g. `dense/kernel`.
    public internal(set) var name: String
    /// Keras's shape (a Dense kernel is `[in, out]`, a Conv2D kernel `[kh, kw, in, out]`).
    public let shape: [Int]
    /// Number of floats.
    public let count: Int
    /// The values, row-major.
    public let value: UnsafeMutablePointer<Float>
    /// d(loss)/d(value) from the last backward pass; nil for non-trainable weights.
    public let gradient: UnsafeMutablePointer<Float>?

    public var isTrainable: Bool { gradient != nil }

    init(name: String, shape: [Int], trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.count = shape.reduce(1, *)
        value = .allocate(capacity: max(count, 1))
        value.initialize(repeating: 0, count: max(count, 1))
        if trainable {
            let g = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            g.initialize(repeating: 0, count: max(count, 1))
            gradient = g
        } else {
            gradient = nil
        }
    }

    deinit {
        value.deallocate()
        gradient?.deallocate()
    }

    /// The values as a new array (for tests and inspection; allocates).
    public var values: [Float] { Array(UnsafeBufferPointer(start: value, count: count)) }

    /// Replaces the values; `newValues.count` must equal `count`.
    public func setValues(_ newValues: [Float]) {
        precondition(newValues.count == count, "\(name): expected \(count) values, got \(newValues.count)")
        newValues.withUnsafeBufferPointer { value.update(from: $0.baseAddress!, count: count) }
    }
}
