import CTrainerPlugin

/// The model's outputs on one batch beside its targets, from "trainer.predict/1". The buffers
/// are borrowed from the host: valid until the next prediction or the end of the hook.
public struct Prediction {
    /// Index of the batch's first sample in its data.
    public let firstSample: Int
    /// Samples in the batch.
    public let rows: Int
    /// Values per sample of `outputs` (10 class probabilities, say).
    public let outputSize: Int
    /// `rows * outputSize` floats, row-major.
    public let outputs: UnsafeBufferPointer<Float>
    /// Values per sample of `targets`: 1 for class indices, else the output size; 0 without.
    public let targetSize: Int
    /// `rows * targetSize` floats (class indices as floats).
    public let targets: UnsafeBufferPointer<Float>

    init(_ raw: trainer_prediction_t) {
        firstSample = Int(raw.first_sample)
        rows = Int(raw.rows)
        outputSize = Int(raw.output_size)
        outputs = UnsafeBufferPointer(start: raw.outputs, count: raw.outputs == nil ? 0 : rows * outputSize)
        targetSize = raw.targets == nil ? 0 : Int(raw.target_size)
        targets = UnsafeBufferPointer(start: raw.targets, count: rows * targetSize)
    }

    /// The outputs of sample `row` (0 ..< rows).
    public func output(_ row: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: outputs[(row * outputSize)..<((row + 1) * outputSize)])
    }

    /// The targets of sample `row` (0 ..< rows).
    public func target(_ row: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: targets[(row * targetSize)..<((row + 1) * targetSize)])
    }
}

extension Host {
    /// Batches of the run's validation data at its batch size; 0 without validation data or
    /// from a host without "trainer.predict/1".
    public var validationBatchCount: Int {
        Int(extensionTable(TRAINER_EXT_PREDICT, as: trainer_predict_ext_t.self)?.validation_batches?(table) ?? 0)
    }

    /// The model's outputs on validation batch `batch` (0 ..< validationBatchCount) with its
    /// targets, in inference mode (Keras: `self.model.predict(x_val)` in a callback).
    public func predictValidationBatch(_ batch: Int) throws -> Prediction {
        let ext = try predictTable()
        var out = trainer_prediction_t()
        out.struct_size = UInt32(MemoryLayout<trainer_prediction_t>.size)
        try withErrorBuffer("predict validation batch \(batch)") { error, size in
            ext.predict_validation_batch?(table, Int64(batch), &out, error, size)
        }
        return Prediction(out)
    }

    /// Calls `body` with every validation batch's prediction in order.
    public func predictValidation(_ body: (Prediction) throws -> Void) throws {
        for batch in 0..<validationBatchCount { try body(try predictValidationBatch(batch)) }
    }

    /// The model's outputs on `rows` samples of `inputs` (`inputs.count / rows` values each,
    /// as the model's input reads them).
    public func predict(_ inputs: [Float], rows: Int) throws -> Prediction {
        let ext = try predictTable()
        guard rows > 0, inputs.count % rows == 0 else {
            throw HostError("predict: \(inputs.count) inputs do not split into \(rows) samples")
        }
        var out = trainer_prediction_t()
        out.struct_size = UInt32(MemoryLayout<trainer_prediction_t>.size)
        try inputs.withUnsafeBufferPointer { buffer in
            try withErrorBuffer("predict \(rows) samples") { error, size in
                ext.predict?(table, buffer.baseAddress, Int64(rows), Int64(inputs.count / rows), &out, error, size)
            }
        }
        return Prediction(out)
    }

    private func predictTable() throws -> trainer_predict_ext_t {
        guard let ext = extensionTable(TRAINER_EXT_PREDICT, as: trainer_predict_ext_t.self) else {
            throw HostError("the host cannot predict (trainer.predict/1 needs ABI 1.2)")
        }
        return ext
    }
}
