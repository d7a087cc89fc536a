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
    /// Floats in one sample's features and in its target (read once: every batch needs them).
    private let featureSize: Int, targetSize: Int

    /// A batch size larger than the data set makes one batch of every sample: the buffers
    /// hold the samples that exist, never more.
    init(_ dataset: Dataset, batchSize: Int) {
        self.dataset = dataset
        self.batchSize = min(batchSize, max(dataset.count, 1))
        count = dataset.count
        featureSize = dataset.featureSize
        targetSize = dataset.targetSize
        features = FloatBuffer(count: self.batchSize * featureSize)
        targets = FloatBuffer(count: self.batchSize * max(targetSize, 1))
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

    /// Gathers batch `step` into `features` and `targets`; returns its size. The batch's
    /// samples are split across threads (`Dataset.gather` allows that).
    func load(step: Int) -> Int {
        let start = step * batchSize
        let n = min(batchSize, count - start)
        let featureSize = self.featureSize, targetSize = self.targetSize
        let order = self.order, features = self.features.pointer, targets = self.targets.pointer
        let dataset = self.dataset
        let parts = n >= 8 ? Parallel.threadCount : 1
        Parallel.run(parts: parts) { part in
            let r = Parallel.range(of: n, part: part, parts: parts)
            guard !r.isEmpty else { return }
            dataset.gather(UnsafeBufferPointer(start: order + start + r.lowerBound, count: r.count),
                           features: features + r.lowerBound * featureSize,
                           targets: targets + r.lowerBound * targetSize)
        }
        return n
    }
}
