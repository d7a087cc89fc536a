import CTrainerPlugin

extension Host {
    /// States a decision as a named number through the host extension "trainer.report/1"
    /// (EarlyStopping's `best_epoch`, say): `trainer replay` answers with it and a training run
    /// records it in its `report.json`. Names ending in `_epoch` are 0-based epoch indices.
    /// A later report of the same name replaces the earlier; a host without the extension
    /// ignores it.
    public func report(_ name: String, _ value: Double) {
        guard let raw = `extension`(id: TRAINER_EXT_REPORT) else { return }
        // Copy what this SDK knows of the struct; fields past the host's struct_size stay zero.
        var table = trainer_report_ext_t()
        let size = min(Int(raw.load(as: UInt32.self)), MemoryLayout<trainer_report_ext_t>.size)
        withUnsafeMutableBytes(of: &table) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: size)) }
        table.report?(self.table, name, value)
    }
}
