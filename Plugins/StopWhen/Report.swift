import CTrainerPlugin
import TrainerPluginSDK

/// The host extension "trainer.report/1": states a decision as a named number, which
/// `trainer replay` answers with and a run records in its report. A host without the
/// extension makes `report` a no-op.
struct Reporter {
    private let host: Host
    private let function: (@convention(c) (UnsafePointer<trainer_host_t>?, UnsafePointer<CChar>?, Double) -> Void)?

    init(host: Host) {
        self.host = host
        var found: trainer_report_ext_t?
        if let raw = host.extension(id: TRAINER_EXT_REPORT) {
            // Copy what this plugin knows of the struct; fields past the host's struct_size stay zero.
            var copy = trainer_report_ext_t()
            let size = min(Int(raw.load(as: UInt32.self)), MemoryLayout<trainer_report_ext_t>.size)
            withUnsafeMutableBytes(of: &copy) { $0.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: size)) }
            found = copy
        }
        function = found?.report
    }

    /// Reports `value` under `name` (letters, digits and '_'); a later report of the same name
    /// replaces the earlier.
    func report(_ name: String, _ value: Double) {
        function?(host.table, name, value)
    }
}
