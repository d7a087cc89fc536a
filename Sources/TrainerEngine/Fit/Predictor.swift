import TrainerData

/// The model's outputs on a dataset's batches, in the data's order, or on samples given as
/// floats: inference mode, no callbacks, nothing about training changed. A callback asks for
/// them in the middle of `fit` (Keras's `self.model.predict(x_val)` in `on_epoch_end`). Each
/// answer is valid until the next one, or until the model runs again.
public final class Predictor {
    unowned let model: Sequential
    private let source: BatchSource?
    private let batchSize: Int
    /// Outputs of `predict(_:rows:)` when they span more than one batch.
    private var gathered: FloatBuffer?

    /// One batch of outputs beside its targets.
    public struct Batch {
        public var firstSample: Int
        public var rows: Int
        public var outputs: UnsafePointer<Float>
        public var targetSize: Int
        public var targets: UnsafePointer<Float>?
    }

    /// `dataset`: the data whose batches `batch(_:)` predicts (nil: none).
    public init(model: Sequential, dataset: Dataset?, batchSize: Int) throws {
        guard batchSize > 0 else { throw ModelError("predict: batch size must be positive") }
        if let dataset { try model.checkData(dataset, role: "prediction") }
        self.model = model
        self.batchSize = batchSize
        source = dataset.map { BatchSource($0, batchSize: batchSize) }
        model.reserve(batch: batchSize)
    }

    /// Batches in the dataset (0 without one).
    public var batchCount: Int { source?.steps ?? 0 }

    /// Values per sample of the outputs.
    public var outputSize: Int { model.outputSize }

    /// The outputs on batch `index` (0 ..< batchCount) with its targets.
    public func batch(_ index: Int) -> Batch {
        guard let source else { preconditionFailure("predict: no dataset") }
        precondition(index >= 0 && index < source.steps, "predict: batch \(index) outside 0..<\(source.steps)")
        let rows = source.load(step: index)
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        let out = model.forward(source.features.pointer, batch: rows, training: false)
        let targetSize = source.dataset.targetSize
        return Batch(firstSample: index * source.batchSize, rows: rows, outputs: out, targetSize: targetSize,
                     targets: targetSize > 0 ? UnsafePointer(source.targets.pointer) : nil)
    }

    /// The outputs on `rows` samples of `model.inputSize` floats each, `rows * outputSize`.
    public func predict(_ inputs: UnsafePointer<Float>?, rows: Int) -> UnsafePointer<Float> {
        let width = model.outputSize, step = max(min(batchSize, model.maxBatch), 1)
        guard rows > 0, let inputs else {
            if gathered == nil { gathered = FloatBuffer(count: 1) }
            return UnsafePointer(gathered!.pointer)
        }
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        if rows <= step { return model.forward(inputs, batch: rows, training: false) }
        if (gathered?.count ?? 0) < rows * width { gathered = FloatBuffer(count: rows * width) }
        let output = gathered!.pointer
        var start = 0
        while start < rows {
            let n = min(step, rows - start)
            let out = model.forward(inputs + start * model.inputSize, batch: n, training: false)
            (output + start * width).update(from: out, count: n * width)
            start += n
        }
        return UnsafePointer(output)
    }
}
