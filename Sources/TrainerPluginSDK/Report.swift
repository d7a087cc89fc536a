import CTrainerPlugin

extension Host {
    /// States a decision as a named number through the host extension "trainer.report/1"
    /// (EarlyStopping's `best_epoch`, say): `trainer replay` answers with it and a training run
    /// records it in its `report.json`. Names ending in `_epoch` are 0-based epoch indices.
    /// A later report of the same name replaces the earlier; a host without the extension
    /// ignores it.
    public func report(_ name: String, _ value: Double) {
        extensionTable(TRAINER_EXT_REPORT, as: trainer_report_ext_t.self)?.report?(self.table, name, value)
    }
}
