import TrainerData

/// Gathers batches of a dataset into buffers allocated once: features, targets and the
/// sample order (shuffled per epoch in place, or sequential).
final class BatchSource {
    let dataset: Dataset
    let batchSize: Int
    let features: FloatBuffer
    let targets: FloatBuffer
    private let order: UnsafeMutablePointer<Int>
    let count: Int

    init(_ dataset: Dataset, batchSize: Int) {
        self.dataset = dataset
        self.batchSize = batchSize
        count = dataset.count
        features = FloatBuffer(count: batchSize * dataset.featureSize)
        targets = FloatBuffer(count: batchSize * max(dataset.targetSize, 1))
        order = .allocate(capacity: max(count, 1))
        resetOrder()
    }

    deinit { order.deallocate() }

    /// Batches per pass, the last one possibly partial.
    var steps: Int { (count + batchSize - 1) / batchSize }

    /// Puts the samples back in their stored order.
    func resetOrder() {
        for i in 0..<count { order[i] = i }
    }

    /// A fresh uniform permutation (Fisher–Yates) drawn from `rng`.
    func shuffle(_ rng: inout SplitMix64) {
        resetOrder()
        var i = count - 1
        while i > 0 {
            let j = rng.nextIndex(below: i + 1)
            let t = order[i]
            order[i] = order[j]
            order[j] = t
            i -= 1
        }
    }

    /// Gathers batch `step` into `features` and `targets`; returns its size.
    func load(step: Int) -> Int {
        let start = step * batchSize
        let n = min(batchSize, count - start)
        dataset.gather(UnsafeBufferPointer(start: order + start, count: n),
                       features: features.pointer, targets: targets.pointer)
        return n
    }
}
