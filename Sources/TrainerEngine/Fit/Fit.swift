import TrainerData

/// Keras 3's `Model.fit`.
extension Sequential {
    /// Trains for `epochs - initialEpoch` epochs. Calls the hooks of `callbacks` in Keras 3's
    /// order with Keras's log names:
    ///
    ///     on_train_begin({})
    ///     per epoch:  on_epoch_begin(epoch, {})
    ///       per batch:  on_train_batch_begin(b, {}); on_train_batch_end(b, {loss, metrics...})
    ///                   (running means over the epoch); stop if `control.stopRequested`
    ///       with validation: on_test_begin, on_test_batch_begin/end, on_test_end (see evaluate)
    ///       on_epoch_end(epoch, {loss, metrics..., val_loss, val_metrics..., learning_rate})
    ///       stop if `control.stopRequested`
    ///     on_train_end(last epoch's logs)
    ///
    /// Samples are shuffled every epoch (a permutation drawn from `seed` and the epoch, so a
    /// run resumed at `initialEpoch` sees the same order); the last partial batch is used.
    /// `initialStep` resumes in the middle of `initialEpoch`: its first `initialStep` batches
    /// are skipped (they ran before the interruption), and `initialProgress` (the running means
    /// `control.epochProgress` read then) continues the epoch's logs; without it they cover
    /// the remaining batches only.
    ///
    /// With a `communicator` of more than one rank, this is one rank of data-parallel training
    /// (`DataParallel`): each rank trains on its `Shard` of every epoch's order (padded, so all
    /// ranks take the same number of steps), validates on its shard of the validation data,
    /// and averages gradients, decisions and epoch logs with the others. `batchSize` is per rank.
    @discardableResult
    public func fit(train: Dataset, validation: Dataset? = nil, epochs: Int, batchSize: Int = 32,
                    shuffle: Bool = true, seed: UInt64 = 0, initialEpoch: Int = 0, initialStep: Int = 0,
                    initialProgress: EpochProgress? = nil,
                    callbacks: FitCallback? = nil, control: TrainingControl? = nil,
                    communicator: Communicator? = nil) throws -> History {
        let control = control ?? self.control
        guard let optimizer, let loss else { throw ModelError("fit: compile the model first") }
        guard batchSize > 0 else { throw ModelError("fit: batch size must be positive, got \(batchSize)") }
        guard train.count > 0 else { throw ModelError("fit: the training data has no samples") }
        try checkData(train, role: "training")
        if let validation {
            guard validation.count > 0 else { throw ModelError("fit: the validation data has no samples") }
            try checkData(validation, role: "validation")
        }
        reserve(batch: min(batchSize, train.count))
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        control.optimizer = optimizer
        control.stopRequested = false

        let metrics = try resolveMetrics(for: train)
        let parallel = communicator.map { DataParallel(communicator: $0, model: self) }
        let rank = parallel?.rank ?? 0, ranks = parallel?.ranks ?? 1
        let source = BatchSource(train, batchSize: batchSize, shard: Shard(rank: rank, ranks: ranks, padded: true))
        let validator = try validation.map {
            try Evaluation(model: self, dataset: $0, batchSize: batchSize, shard: Shard(rank: rank, ranks: ranks, padded: false))
        }
        try parallel?.broadcastState(of: self)
        // Each rank draws its own dropout masks.
        let layerSeed = rank == 0 ? seed : seed ^ (UInt64(rank) &* 0xD6E8_FEB8_6659_FD93)
        // The metrics' means before a step, put back when no rank takes that step.
        let savedMeans = UnsafeMutablePointer<RunningMean>.allocate(capacity: max(metrics.count, 1))
        savedMeans.initialize(repeating: RunningMean(), count: max(metrics.count, 1))
        defer { savedMeans.deallocate() }

        let empty = Logs()
        let batchLogs = Logs(names: ["loss"] + metrics.map(\.name))
        var epochNames = batchLogs.names
        if let validator { epochNames += validator.logs.names.map { "val_" + $0 } }
        epochNames.append("learning_rate")
        let epochLogs = Logs(names: epochNames)
        let history = History()
        var lossMean = RunningMean()
        var ranEpoch = false
        if let initialProgress, initialProgress.metrics.count != metrics.count {
            throw ModelError("fit: the epoch in progress had \(initialProgress.metrics.count) metric(s), the model has \(metrics.count)")
        }
        control.epochProgress = { EpochProgress(loss: lossMean, metrics: metrics.map(\.mean)) }
        defer { control.epochProgress = nil }

        try callbacks?.trainBegin(logs: emptied(empty))
        for epoch in max(initialEpoch, 0)..<max(epochs, initialEpoch, 0) {
            lossMean.reset()
            for m in metrics { m.reset() }
            loss.invalidTargets = 0
            try callbacks?.epochBegin(epoch, logs: emptied(empty))
            if shuffle {
                var rng = SplitMix64(seed: seed, stream: UInt64(epoch))
                source.shuffle(&rng)
            }
            let firstStep = epoch == initialEpoch ? min(max(initialStep, 0), source.steps) : 0
            if firstStep > 0, let initialProgress {
                lossMean = initialProgress.loss
                for (metric, mean) in zip(metrics, initialProgress.metrics) { metric.mean = mean }
            }
            // Data-parallel: a rank asked to stop (or interrupted) after a batch tells the others
            // at the next step's sum instead of computing it.
            var stopAsked = false, interruptAsked = false
            for step in firstStep..<source.steps {
                var n = 0, value = 0.0
                if !stopAsked && !interruptAsked {
                    reseedLayers(seed: layerSeed, epoch: epoch, step: step)
                    try callbacks?.trainBatchBegin(step, logs: emptied(empty))
                    n = source.load(step: step)
                    if parallel != nil { for i in 0..<metrics.count { savedMeans[i] = metrics[i].mean } }
                    value = gradientStep(input: source.features.pointer, target: source.targets.pointer,
                                         batch: n, metrics: metrics)
                }
                if let parallel, !parallel.averageGradients(optimizer: optimizer, stop: stopAsked, interrupt: interruptAsked) {
                    // A rank stopped after the previous batch: this one is not taken anywhere.
                    for i in 0..<metrics.count { metrics[i].mean = savedMeans[i] }
                    if parallel.interrupted {
                        throw FitInterrupted(epoch: epoch, batch: step - 1,
                                             progress: EpochProgress(loss: lossMean, metrics: metrics.map(\.mean)))
                    }
                    control.stopRequested = true
                    stopAsked = false
                    break
                }
                optimizer.step()
                if loss.invalidTargets > 0 {
                    throw ModelError("fit: \(loss.invalidTargets) training target(s) in batch \(step) of epoch \(epoch) are not valid for \(loss.name) (a class index outside 0..<\(outputShape.last ?? 1)?)")
                }
                lossMean.add(value, weight: Double(n))
                batchLogs.removeAdded()
                batchLogs.values[0] = asFloat32(lossMean.mean)
                for i in 0..<metrics.count { batchLogs.values[i + 1] = asFloat32(metrics[i].result) }
                try callbacks?.trainBatchEnd(step, logs: batchLogs)
                let interrupted = control.isInterrupted?() ?? false
                if parallel != nil {
                    // Told to the others at the next step's sum, or at the epoch's end.
                    stopAsked = control.stopRequested
                    interruptAsked = interrupted
                    continue
                }
                if control.stopRequested { break }
                if interrupted {
                    throw FitInterrupted(epoch: epoch, batch: step,
                                         progress: EpochProgress(loss: lossMean, metrics: metrics.map(\.mean)))
                }
            }
            if let parallel {
                // Every rank's epoch: the sums behind the means, and whether any rank asked to
                // stop or was interrupted after the last batch.
                let localLoss = lossMean
                for i in 0..<metrics.count { savedMeans[i] = metrics[i].mean }
                let flags = parallel.combine(&lossMean, metrics, stop: control.stopRequested || stopAsked,
                                             interrupt: interruptAsked)
                if flags.interrupt {
                    let local = (0..<metrics.count).map { savedMeans[$0] }
                    throw FitInterrupted(epoch: epoch, batch: source.steps - 1,
                                         progress: EpochProgress(loss: localLoss, metrics: local))
                }
                if flags.stop { control.stopRequested = true }
                parallel.averageNonTrainable()
            }

            epochLogs.removeAdded()
            epochLogs.values[0] = asFloat32(lossMean.mean)
            for i in 0..<metrics.count { epochLogs.values[i + 1] = asFloat32(metrics[i].result) }
            if let validator {
                try validator.run(callbacks: callbacks)
                if let parallel { validator.combine(parallel) }
                for i in 0..<validator.logs.ownCount {
                    epochLogs.values[batchLogs.ownCount + i] = validator.logs.values[i]
                }
            }
            epochLogs.values[epochLogs.count - 1] = optimizer.learningRate
            try callbacks?.epochEnd(epoch, logs: epochLogs)
            history.record(epoch: epoch, logs: epochLogs)
            ranEpoch = true
            if let parallel, parallel.any(control.stopRequested) { control.stopRequested = true }
            if control.stopRequested { break }
        }
        try callbacks?.trainEnd(logs: ranEpoch ? epochLogs : emptied(empty))
        return history
    }

    /// Checks that `dataset`'s samples fit the model's input and loss.
    func checkData(_ dataset: Dataset, role: String) throws {
        guard isBuilt else { throw ModelError("build the model before using it") }
        guard dataset.featureSize == inputSize else {
            throw ModelError("the \(role) data has samples of shape \(dataset.featureShape) (\(dataset.featureSize) values), the model expects \(inputShape)")
        }
        if let loss {
            let expected = loss.targetSize(forOutputShape: outputShape)
            guard dataset.targetSize == expected else {
                throw ModelError("the \(role) data has targets of shape \(dataset.targetShape), but \(loss.name) on outputs of shape \(outputShape) needs \(expected) value(s) per sample")
            }
        }
    }

    /// The compiled metric names as metric objects for `dataset`'s targets.
    func resolveMetrics(for dataset: Dataset) throws -> [Metric] {
        try metricNames.map { name in
            guard let m = Metrics.named(name, outputShape: outputShape, targetShape: dataset.targetShape) else {
                throw ModelError("unknown metric '\(name)'")
            }
            return m
        }
    }
}

/// Keras's metrics are float32 tensors, so the values its callbacks see (and CSVLogger and
/// History write) are float32 values widened to double; the logs carry the same.
@inline(__always)
func asFloat32(_ value: Double) -> Double { Double(Float(value)) }

/// `logs`, emptied if a callback added names to it (Keras passes `None`/`{}` there).
@inline(__always)
func emptied(_ logs: Logs) -> Logs {
    if logs.count != 0 { logs.clear() }
    return logs
}
