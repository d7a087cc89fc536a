import CTrainerPlugin

/// get_extension and the extensions a `FakeHost` can offer.
extension FakeHost {
    /// An optional host capability, by its id with revision.
    public enum Extension: String {
        /// "trainer.report/1": reported values land in `FakeHost.reports`.
        case report = "trainer.report/1"
    }

    /// get_extension: the extension's static struct when the host offers it, else NULL.
    func extensionTable(_ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
        guard let id, let known = Extension(rawValue: String(cString: id)), extensions.contains(known) else {
            return nil
        }
        switch known {
        case .report: return UnsafeRawPointer(FakeHost.reportExtension)
        }
    }

    private static let reportExtension: UnsafeMutablePointer<trainer_report_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_report_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_report_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_report_ext_t>.size),
            report: { host, name, value in
                guard let name else { return }
                FakeHost.of(host).reports[String(cString: name)] = value
            }))
        return pointer
    }()
}
