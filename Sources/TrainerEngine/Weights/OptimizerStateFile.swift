/// Saving and restoring an optimizer's state (iterations, learning rate, moments) as
/// safetensors, so a resumed run continues exactly where it stopped.
extension Optimizer {
    /// Writes `state()` to `path` (temporary file, then rename); `metadata` records e.g. the
    /// optimizer's class, and `optimizer` is added.
    public func saveState(to path: String, metadata: [String: String] = [:]) throws {
        let named = state()
        var meta = metadata
        meta["optimizer"] = kerasClassName
        // One contiguous copy of every array, so each tensor has a stable pointer while writing.
        let total = named.reduce(0) { $0 + $1.values.count }
        let block = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
        defer { block.deallocate() }
        var sources: [Safetensors.TensorSource] = []
        var offset = 0
        for entry in named {
            entry.values.withUnsafeBufferPointer { (block + offset).initialize(from: $0.baseAddress!, count: $0.count) }
            sources.append(Safetensors.TensorSource(name: entry.name, shape: entry.shape, data: block + offset,
                                                    count: entry.values.count))
            offset += entry.values.count
        }
        try Safetensors.write(sources, metadata: meta, to: path)
    }

    /// Restores the state saved by `saveState(to:)` for the same weights and optimizer class.
    public func loadState(from path: String) throws {
        let (tensors, metadata) = try Safetensors.read(from: path)
        if let saved = metadata["optimizer"], saved != kerasClassName {
            throw SafetensorsError(path: path, message: "holds \(saved) state, not \(kerasClassName)")
        }
        do {
            try restoreState(Dictionary(tensors.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a }))
        } catch {
            throw SafetensorsError(path: path, message: "\(error)")
        }
    }
}
