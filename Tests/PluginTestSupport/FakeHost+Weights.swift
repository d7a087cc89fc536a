import CTrainerPlugin
import Foundation

/// The C copies behind the view of one weight: valid until the weights' names or shapes change
/// or the host goes away, as a view must stay valid for the hook that asked for it.
struct WeightViewStorage {
    let name: UnsafeMutablePointer<CChar>
    let shape: UnsafeMutableBufferPointer<Int64>
    let data: UnsafeMutableBufferPointer<Float>
    let layout: (name: String, shape: [Int64])
}

/// Weights as the plugin sees them (weight_count, get_weight), snapshots (snapshot, restore,
/// release), and the test's view of the same weights.
extension FakeHost {
    /// Every value of every weight at once: a test sets it to the epoch that "produced" the
    /// weights, so a restore shows which epoch's weights came back. Reads the first value.
    public var weightMark: Float {
        get { weights.first?.values.first ?? 0 }
        set {
            for i in weights.indices { weights[i].values = [Float](repeating: newValue, count: weights[i].values.count) }
        }
    }

    /// The weights' values, in layer order.
    public func currentWeights() -> [[Float]] {
        weights.map(\.values)
    }

    /// get_weight: a view of weight `index`, showing its current values.
    func weightView(_ index: Int64, _ out: UnsafeMutablePointer<trainer_tensor_view_t>?) -> trainer_status_t {
        guard let out, index >= 0, index < Int64(weights.count), !failWeightViews else { return statusError }
        let layoutChanged = weightViewStorage.count != weights.count
            || zip(weightViewStorage, weights).contains { $0.layout.name != $1.name || $0.layout.shape != $1.shape }
        if layoutChanged {
            releaseWeightViews()
            for weight in weights {
                let shape = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(weight.shape.count, 1))
                _ = shape.initialize(from: weight.shape)
                let data = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(weight.values.count, 1))
                _ = data.initialize(from: weight.values)
                weightViewStorage.append(WeightViewStorage(name: strdup(weight.name)!, shape: shape, data: data,
                                                           layout: (weight.name, weight.shape)))
            }
        }
        let weight = weights[Int(index)]
        let storage = weightViewStorage[Int(index)]
        // The values may have changed since the copies were made ("training").
        for (i, value) in weight.values.enumerated() { storage.data[i] = value }
        var view = trainer_tensor_view_t()
        view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
        view.rank = UInt32(weight.shape.count)
        view.name = UnsafePointer(storage.name)
        view.shape = UnsafePointer(storage.shape.baseAddress)
        view.data = UnsafePointer(storage.data.baseAddress)
        view.element_count = Int64(weight.values.count)
        out.pointee = view
        return statusOK
    }

    func releaseWeightViews() {
        for storage in weightViewStorage {
            free(storage.name)
            storage.shape.deallocate()
            storage.data.deallocate()
        }
        weightViewStorage = []
    }

    /// snapshot_weights: a copy of the values under a new id.
    func snapshotWeights() -> Int64 {
        let id = nextSnapshotID
        nextSnapshotID += 1
        liveSnapshots[id] = currentWeights()
        return id
    }

    /// restore_weights: the values of a live snapshot back in the weights.
    func restoreWeights(_ id: Int64) -> trainer_status_t {
        guard let values = liveSnapshots[id] else { return statusError }
        setWeightValues(values)
        restores += 1
        return statusOK
    }

    func setWeightValues(_ values: [[Float]]) {
        for (i, tensor) in values.enumerated() { weights[i].values = tensor }
    }
}
