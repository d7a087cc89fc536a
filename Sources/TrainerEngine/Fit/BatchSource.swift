import TrainerData

/// Gathers batches of a dataset into buffers allocated once: features, targets and the
/// sample order (shuffled per epoch in place, or sequential). Under data-parallel training it
/// takes one rank's `Shard` of that order (the same order on every rank, drawn from the seed).
final class BatchSource {
    let dataset: Dataset
    let batchSize: Int
    let features: FloatBuffer
    let targets: FloatBuffer
    /// The epoch's order of every sample of the data set.
    private let order: UnsafeMutablePointer<Int>
    /// This rank's samples, cut from `order` (`order` itself for the whole data set).
    private let shardOrder: UnsafeMutablePointer<Int>
    let shard: Shard
    /// Samples this source yields per pass (this rank's share).
    let count: Int
    /// Floats in one sample's features and in its target (read once: every batch needs them).
    private let featureSize: Int, targetSize: Int

    /// A batch size larger than the data set makes one batch of every sample: the buffers
    /// hold the samples that exist, never more.
    init(_ dataset: Dataset, batchSize: Int, shard: Shard = .whole) {
        self.dataset = dataset
        self.shard = shard
        count = shard.samples(of: dataset.count)
        self.batchSize = min(batchSize, max(count, 1))
        featureSize = dataset.featureSize
        targetSize = dataset.targetSize
        features = FloatBuffer(count: self.batchSize * featureSize)
        targets = FloatBuffer(count: self.batchSize * max(targetSize, 1))
        order = .allocate(capacity: max(dataset.count, 1))
        shardOrder = shard.ranks > 1 ? .allocate(capacity: max(count, 1)) : order
        resetOrder()
    }

    deinit {
        if shardOrder != order { shardOrder.deallocate() }
        order.deallocate()
    }

    /// Batches per pass, the last one possibly partial.
    var steps: Int { (count + batchSize - 1) / batchSize }

    /// Puts the samples back in their stored order.
    func resetOrder() {
        for i in 0..<dataset.count { order[i] = i }
        cutShard()
    }

    /// This rank's samples: positions rank, rank + ranks, ... of the order (wrapping when padded).
    private func cutShard() {
        guard shardOrder != order else { return }
        let total = dataset.count
        guard total > 0 else { return }
        for i in 0..<count { shardOrder[i] = order[(i * shard.ranks + shard.rank) % total] }
    }

    /// A fresh uniform permutation (Fisher–Yates) drawn from `rng`.
    func shuffle(_ rng: inout SplitMix64) {
        for i in 0..<dataset.count { order[i] = i }
        var i = dataset.count - 1
        while i > 0 {
            let j = rng.nextIndex(below: i + 1)
            let t = order[i]
            order[i] = order[j]
            order[j] = t
            i -= 1
        }
        cutShard()
    }

    /// Gathers batch `step` into `features` and `targets`; returns its size. The batch's
    /// samples are split across threads (`Dataset.gather` allows that).
    func load(step: Int) -> Int {
        let start = step * batchSize
        let n = min(batchSize, count - start)
        let featureSize = self.featureSize, targetSize = self.targetSize
        let order = self.shardOrder, features = self.features.pointer, targets = self.targets.pointer
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
