import TrainerPluginSDK

/// scikit-learn's `classification_report` on the validation data at every epoch's end, as a
/// Keras callback computes it from `self.model.predict(x_val)`: it predicts the validation data
/// batch by batch through "trainer.predict/1", counts the confusion matrix, adds
/// `val_precision`, `val_recall` and `val_f1` (macro averages over the classes that occur) to
/// the epoch's logs through "trainer.logs/1", and writes the matrix as CSV into the run
/// directory. Plugins listed after it see the three values: EarlyStopping and ModelCheckpoint
/// can monitor `val_f1` (mode auto maximizes it), History and CSVLogger record them.
///
/// Classes: the output's largest value (one output: a probability above 0.5); targets are
/// class indices or one-hot rows.
public final class ClassificationReport: TrainerCallback, OnEpochEnd {
    public static let id = "ClassificationReport"
    public static let name = "Classification report"
    public static let version = "1.0.0"
    public static let summary = "Adds val_precision, val_recall and val_f1 (macro) to each epoch's logs and writes the validation confusion matrix."
    public static let parameters: [ParameterSpec] = [
        .string("prefix", default: "val_", help: "prefix of the names added to the logs (val_f1, ...)"),
        .string("filename", default: "confusion_matrix.csv",
                help: "CSV file of the last epoch's confusion matrix, in the run directory; empty: none"),
        .int("verbose", default: 0, help: "1: print the scores at each epoch's end", min: 0, max: 1),
    ]

    private let host: Host
    private let prefix: String
    private let path: String?
    private let verbose: Bool
    private var warnings = WarningsOnce()

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        prefix = try parameters.string("prefix")
        let filename = try parameters.string("filename")
        if filename.isEmpty {
            path = nil
        } else {
            guard !filename.hasSuffix("/") else { throw PluginError("filename must name a file, got '\(filename)'") }
            let runDirectory = try host.runParameters.runDirectory
            guard filename.hasPrefix("/") || !runDirectory.isEmpty else {
                throw PluginError("the host gave no run directory for '\(filename)'")
            }
            path = filePath(filename, in: runDirectory)
        }
        verbose = try parameters.int("verbose") == 1
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        guard host.validationBatchCount > 0 else {
            warnings.warn("ClassificationReport needs validation data (and a host with trainer.predict/1); no scores added", through: host)
            return
        }
        var matrix: ConfusionMatrix?
        var skipped = 0
        try host.predictValidation { batch in
            let classes = max(batch.outputSize, 2)
            if matrix == nil { matrix = ConfusionMatrix(classes: classes) }
            for row in 0..<batch.rows {
                guard batch.targetSize > 0, let truth = ClassOf.target(batch.target(row), classes: classes) else {
                    skipped += 1
                    continue
                }
                matrix!.add(truth: truth, predicted: ClassOf.output(batch.output(row)))
            }
        }
        guard let matrix else { return }
        if skipped > 0 {
            warnings.warn("ClassificationReport skipped \(skipped) validation sample(s) whose target names no class", through: host)
        }
        let macro = matrix.macro
        try host.setLog(prefix + "precision", macro.precision)
        try host.setLog(prefix + "recall", macro.recall)
        try host.setLog(prefix + "f1", macro.f1)
        if let path { try writeFileAtomically(Array(matrix.csv().utf8), to: path) }
        if verbose {
            host.log(.info, "Epoch \(epoch + 1): \(prefix)precision=\(format(macro.precision)) "
                     + "\(prefix)recall=\(format(macro.recall)) \(prefix)f1=\(format(macro.f1))")
        }
    }

    private func format(_ value: Double) -> String {
        let scaled = (value * 10000).rounded() / 10000
        return "\(scaled)"
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(ClassificationReport.self) }
