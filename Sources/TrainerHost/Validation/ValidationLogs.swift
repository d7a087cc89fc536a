import TrainerEngine

/// The logs a validator drives a plugin's hooks with: typical ones (what a run with
/// validation passes), then edge cases a plugin must survive.
struct ValidationLogs {
    /// "typical", "empty", "NaN", ...: named in a failure.
    var name: String
    /// Whether a hook may refuse these logs (an error status) without failing the check.
    var mayRefuse: Bool
    var batch: Logs
    var epoch: Logs
    var test: Logs

    static let batchNames = ["loss", "accuracy"]
    static let epochNames = ["loss", "accuracy", "val_loss", "val_accuracy"]
    static let testNames = ["loss", "accuracy"]

    /// One set, every value `value` (nil: typical values that change with the epoch).
    private static func make(_ name: String, mayRefuse: Bool, extra: [String] = [], value: Double?) -> ValidationLogs {
        func logs(_ names: [String]) -> Logs {
            let made = Logs(names: names + extra)
            for i in 0..<made.count { made.values[i] = value ?? (0.25 + Double(i % 4) * 0.125) }
            return made
        }
        return ValidationLogs(name: name, mayRefuse: mayRefuse, batch: logs(batchNames), epoch: logs(epochNames),
                              test: logs(testNames))
    }

    static let typical = make("typical", mayRefuse: false, value: nil)

    /// The typical logs, then every edge case.
    static let all: [ValidationLogs] = [
        typical,
        ValidationLogs(name: "empty", mayRefuse: true, batch: Logs(), epoch: Logs(), test: Logs()),
        make("NaN", mayRefuse: true, value: .nan),
        make("+infinity", mayRefuse: true, value: .infinity),
        make("-infinity", mayRefuse: true, value: -.infinity),
        make("300 extra keys", mayRefuse: true, extra: (0..<300).map { "metric_\($0)" }, value: nil),
        make("4096-character names", mayRefuse: true,
             extra: ["a", "b", "c"].map { String(repeating: $0, count: 4096) }, value: nil),
    ]

    /// Typical values again for epoch `epoch` (they change, so monitors see progress).
    func advance(to index: Int) {
        guard name == "typical" else { return }
        for logs in [batch, epoch, test] {
            for i in 0..<logs.count { logs.values[i] = 1.0 / Double(index + 2 + i) }
        }
    }
}
