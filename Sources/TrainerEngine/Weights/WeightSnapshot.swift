/// An in-memory copy of every weight of a model (Keras's `get_weights` / `set_weights`).
public struct WeightSnapshot {
    public let names: [String]
    public let shapes: [[Int]]
    public let values: [[Float]]
}

extension Sequential {
    /// Copies every weight (trainable and not) in layer order.
    public func snapshotWeights() -> WeightSnapshot {
        let all = weights
        return WeightSnapshot(names: all.map(\.name), shapes: all.map(\.shape), values: all.map(\.values))
    }

    /// Puts back the weights of `snapshot`, which must come from a model of the same layout.
    public func restoreWeights(_ snapshot: WeightSnapshot) throws {
        let all = weights
        guard snapshot.names == all.map(\.name), snapshot.shapes == all.map(\.shape) else {
            throw ModelError("the snapshot's weights \(snapshot.names) do not match the model's \(all.map(\.name))")
        }
        for (p, v) in zip(all, snapshot.values) { p.setValues(v) }
    }

    /// The weight named `name` (e.g. `dense/kernel`), if any.
    public func weight(named name: String) -> Parameter? {
        weights.first { $0.name == name }
    }
}
