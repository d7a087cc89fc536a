/// Saving and loading a model's weights as safetensors, named `<layer>/<weight>`.
extension Sequential {
    /// Saves every weight (trainable and not) to `path` (temporary file, then rename).
    public func saveWeights(to path: String, metadata: [String: String] = [:]) throws {
        let all = weights
        try Safetensors.write(all.map {
            Safetensors.TensorSource(name: $0.name, shape: $0.shape, data: $0.value, count: $0.count)
        }, metadata: metadata, to: path)
    }

    /// Loads every weight from `path`. The file must hold exactly the model's weights, with
    /// the same shapes; otherwise nothing is changed and the error names the file and tensor.
    @discardableResult
    public func loadWeights(from path: String) throws -> [String: String] {
        let (tensors, metadata) = try Safetensors.read(from: path)
        var byName: [String: Safetensors.Tensor] = [:]
        for t in tensors { byName[t.name] = t }
        let all = weights
        for p in all {
            guard let t = byName[p.name] else {
                throw SafetensorsError(path: path, message: "tensor '\(p.name)' is missing (the file has: \(tensors.map(\.name).joined(separator: ", ")))")
            }
            guard t.shape == p.shape else {
                throw SafetensorsError(path: path, message: "tensor '\(p.name)' has shape \(t.shape), the model expects \(p.shape)")
            }
        }
        let known = Set(all.map(\.name))
        if let extra = tensors.first(where: { !known.contains($0.name) }) {
            throw SafetensorsError(path: path, message: "tensor '\(extra.name)' is not a weight of this model")
        }
        for p in all { p.setValues(byName[p.name]!.values) }
        return metadata
    }
}
