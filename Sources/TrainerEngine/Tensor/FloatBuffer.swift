/// A fixed-size float buffer allocated once and freed with its owner.
///
/// Layers keep their activations and gradients in these so a training step touches only
/// memory that already exists.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// A fixed-size buffer of 32-bit indices (max-pooling's argmax positions, for instance).
final class IndexBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Int32>

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
