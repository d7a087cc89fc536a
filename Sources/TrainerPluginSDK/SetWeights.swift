import CTrainerPlugin
import TrainerABI

extension Host {
    /// Sets weight `index` (numbered as `weight(at:)` numbers them) from `values`, its element
    /// count of row-major floats, through the host extension "trainer.weights/1" (Keras:
    /// `model.set_weights`). Takes effect at once; the optimizer's state is kept.
    public func setWeight(at index: Int, to values: [Float]) throws {
        let table = try weightsTable()
        try values.withUnsafeBufferPointer { buffer in
            try withErrorBuffer("set weight \(index)") { error, size in
                table.set_weight?(self.table, Int64(index), buffer.baseAddress, Int64(buffer.count), error, size)
            }
        }
    }

    /// Sets every weight at once, `values[i]` for weight i; nothing changes when one does not
    /// fit.
    public func setWeights(_ values: [[Float]]) throws {
        let table = try weightsTable()
        try FloatArrays.withPointers(values) { data, sizes in
            try withErrorBuffer("set the weights") { error, size in
                table.set_weights?(self.table, Int64(values.count), data, sizes, error, size)
            }
        }
    }

    private func weightsTable() throws -> trainer_weights_ext_t {
        guard let table = extensionTable(TRAINER_EXT_WEIGHTS, as: trainer_weights_ext_t.self) else {
            throw HostError("the host cannot set weights from buffers (trainer.weights/1 needs ABI 1.2)")
        }
        return table
    }
}
