import TrainerData

/// One model's evaluation on one dataset, with buffers and metrics made once and reused on
/// every run (validation runs once per epoch).
final class Evaluation {
    unowned let model: Sequential
    let source: BatchSource
    let metrics: [Metric]
    /// Loss then metrics: the running means, then the final values after `run`.
    let logs: Logs
    /// The loss's running mean over the last run.
    private(set) var lossMean = RunningMean()
    private let empty = Logs()

    /// `shard`: this rank's part of the data set, under data-parallel training.
    init(model: Sequential, dataset: Dataset, batchSize: Int, shard: Shard = .whole) throws {
        try model.checkData(dataset, role: "evaluation")
        self.model = model
        source = BatchSource(dataset, batchSize: batchSize, shard: shard)
        metrics = try model.resolveMetrics(for: dataset)
        logs = Logs(names: ["loss"] + metrics.map(\.name))
        model.reserve(batch: source.batchSize)
    }

    /// Evaluates every sample in order. With `callbacks`: on_test_begin({}), per batch
    /// on_test_batch_begin(b, {}) and on_test_batch_end(b, running logs), on_test_end(logs).
    func run(callbacks: FitCallback?) throws {
        guard let loss = model.loss else { throw ModelError("evaluate: compile the model first") }
        lossMean = RunningMean()
        for m in metrics { m.reset() }
        loss.invalidTargets = 0
        try callbacks?.testBegin(logs: emptied(empty))
        for step in 0..<source.steps {
            try callbacks?.testBatchBegin(step, logs: emptied(empty))
            let n = source.load(step: step)
            let value = model.testStep(input: source.features.pointer, target: source.targets.pointer,
                                       batch: n, metrics: metrics)
            if loss.invalidTargets > 0 {
                throw ModelError("evaluate: \(loss.invalidTargets) target(s) in batch \(step) are not valid for \(loss.name)")
            }
            lossMean.add(value, weight: Double(n))
            logs.removeAdded()
            logs.values[0] = asFloat32(lossMean.mean)
            for i in 0..<metrics.count { logs.values[i + 1] = asFloat32(metrics[i].result) }
            try callbacks?.testBatchEnd(step, logs: logs)
        }
        try callbacks?.testEnd(logs: logs)
    }

    /// Sums the last run's means across the ranks: `logs` then cover every rank's shard.
    func combine(_ parallel: DataParallel) {
        _ = parallel.combine(&lossMean, metrics)
        logs.removeAdded()
        logs.values[0] = asFloat32(lossMean.mean)
        for i in 0..<metrics.count { logs.values[i + 1] = asFloat32(metrics[i].result) }
    }
}

/// Keras's `Model.evaluate` and `Model.predict`.
extension Sequential {
    /// Loss and metrics over `dataset` (inference mode), calling only the test hooks. Returns
    /// logs named `loss`, then the compiled metrics (the returned object is new to the caller).
    @discardableResult
    public func evaluate(_ dataset: Dataset, batchSize: Int = 32, callbacks: FitCallback? = nil) throws -> Logs {
        guard loss != nil else { throw ModelError("evaluate: compile the model first") }
        guard batchSize > 0 else { throw ModelError("evaluate: batch size must be positive") }
        let evaluation = try Evaluation(model: self, dataset: dataset, batchSize: batchSize)
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        try evaluation.run(callbacks: callbacks)
        return evaluation.logs
    }

    /// Writes the model's outputs for every sample of `dataset` to `output`
    /// (`dataset.count * outputSize` floats, in sample order). Calls the predict hooks:
    /// on_predict_begin, per batch on_predict_batch_begin/end (empty logs), on_predict_end.
    public func predict(_ dataset: Dataset, batchSize: Int = 32, callbacks: FitCallback? = nil,
                        output: UnsafeMutablePointer<Float>) throws {
        guard isBuilt else { throw ModelError("predict: build the model first") }
        guard batchSize > 0 else { throw ModelError("predict: batch size must be positive") }
        guard dataset.featureSize == inputSize else {
            throw ModelError("predict: samples of shape \(dataset.featureShape) do not fit the model's input \(inputShape)")
        }
        let source = BatchSource(dataset, batchSize: batchSize)
        reserve(batch: source.batchSize)
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        let empty = Logs()
        let width = outputSize
        try callbacks?.predictBegin(logs: emptied(empty))
        for step in 0..<source.steps {
            try callbacks?.predictBatchBegin(step, logs: emptied(empty))
            let n = source.load(step: step)
            let out = forward(source.features.pointer, batch: n, training: false)
            (output + step * source.batchSize * width).update(from: out, count: n * width)
            try callbacks?.predictBatchEnd(step, logs: emptied(empty))
        }
        try callbacks?.predictEnd(logs: emptied(empty))
    }

    /// The model's outputs for every sample of `dataset`, `dataset.count * outputSize` floats.
    public func predict(_ dataset: Dataset, batchSize: Int = 32, callbacks: FitCallback? = nil) throws -> [Float] {
        var result = [Float](repeating: 0, count: dataset.count * outputSize)
        try result.withUnsafeMutableBufferPointer { buffer in
            try predict(dataset, batchSize: batchSize, callbacks: callbacks, output: buffer.baseAddress!)
        }
        return result
    }
}
