import TrainerExpression
import TrainerPluginSDK

/// Keras's `CSVLogger` callback as a plugin (keras/src/callbacks/csv_logger.py, Keras 3.15):
/// streams each epoch's logs to a CSV file, the same bytes Keras writes.
///
///     epoch,accuracy,loss,val_accuracy,val_loss
///     0,0.8235000967979431,0.5010263919830322,0.8424000144004822,0.4433165490627289
///
/// - The columns are `epoch` then the first epoch's log names sorted (by code point, as
///   Python's `sorted`); when none of them starts with `val_`, Keras adds a `val_` column for
///   each (left `NA` when there is no validation). The columns are fixed by the first epoch: a
///   name missing from a later epoch is written `NA`, a new one is not written.
/// - Rows end with `\r\n` (Python's csv module), `epoch` counts from 0, and values are written
///   as Python's `str(float)`: the shortest digits that read back as the same double
///   (`0.1`, `1e-05`, `nan`, `inf`). A field holding the separator, a quote or a line break is
///   quoted as Python's csv module quotes it.
/// - `append=false` empties the file when training begins; `append=true` keeps what is there
///   and writes the header only when the file is empty or missing (the old header stays, as in
///   Keras, even when this run's columns differ).
/// - A relative `filename` is inside the run directory; missing directories are made.
/// - The file is rewritten after every epoch through a temporary file and a rename, so a crash
///   leaves the epochs written so far and never a half-written row (Keras flushes each row).
///
/// The saved state holds the columns and the text written so far, so a resumed run continues
/// the same file.
public final class CSVLogger: TrainerCallback, OnTrainBegin, OnEpochEnd, StatefulCallback {
    public static let id = "CSVLogger"
    public static let name = "CSV logger"
    public static let version = "1.0.0"
    public static let summary = "Writes each epoch's logs as a row of a CSV file, as Keras's CSVLogger does."
    public static let parameters: [ParameterSpec] = [
        .string("filename", default: "training.log",
                help: "the CSV file; a relative name is inside the run directory"),
        .string("separator", default: ",", help: "the one character between the fields"),
        .bool("append", default: false,
              help: "true: add to an existing file (header only if it is empty); false: overwrite it"),
    ]

    private let path: String
    private let separator: Character
    private let append: Bool
    /// The columns after `epoch`; nil until the first epoch ends.
    private var keys: [String]?
    /// Whether this run writes a header before its first row.
    private var writesHeader = true
    /// The file's whole content as this plugin last wrote it.
    private var content: [UInt8] = []
    /// Set by a loaded state: on_train_begin continues that text.
    private var resumed = false

    public init(parameters: Parameters, host: Host) throws {
        let filename = try parameters.string("filename")
        guard !filename.isEmpty, !filename.hasSuffix("/") else {
            throw PluginError("filename must name a file, got '\(filename)'")
        }
        let separatorText = try parameters.string("separator")
        guard separatorText.count == 1, let separator = separatorText.first else {
            throw PluginError("separator must be one character, got '\(separatorText)' (Python's csv module: "
                              + "\"delimiter\" must be a 1-character string)")
        }
        guard separator != "\"", separator != "\r", separator != "\n" else {
            throw PluginError("separator cannot be a quote or a line break")
        }
        self.separator = separator
        append = try parameters.bool("append")
        let runDirectory = try host.runParameters.runDirectory
        guard filename.hasPrefix("/") || !runDirectory.isEmpty else {
            throw PluginError("the host gave no run directory for '\(filename)'")
        }
        path = filePath(filename, in: runDirectory)
    }

    public func onTrainBegin(logs: Logs) throws {
        if resumed {
            resumed = false
        } else {
            keys = nil
            if append, let existing = try readFile(path) {
                content = existing
                writesHeader = existing.isEmpty
            } else {
                content = []
                writesHeader = true
            }
        }
        try makeParentDirectories(of: path)
        try writeFileAtomically(content, to: path)
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if keys == nil {
            var names = logs.names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            if !names.isEmpty && !names.contains(where: { $0.hasPrefix("val_") }) {
                names += names.map { "val_" + $0 }
            }
            keys = names
            if writesHeader {
                content += row(["epoch"] + names).utf8
                writesHeader = false
            }
        }
        let values = keys!.map { key in logs[key].map(PythonFloat.repr) ?? "NA" }
        content += row([String(epoch)] + values).utf8
        try writeFileAtomically(content, to: path)
    }

    /// One CSV line as Python's csv module writes it (excel dialect, QUOTE_MINIMAL).
    private func row(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: String(separator)) + "\r\n"
    }

    private func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == separator || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    // MARK: - Saved state: the columns and the text so far

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(keys != nil)
        writer.write(keys?.count ?? 0)
        for key in keys ?? [] { writer.write(key) }
        writer.write(writesHeader)
        writer.write(String(decoding: content, as: UTF8.self))
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let hasKeys = try reader.readBool()
        let count = try reader.readInt()
        guard count >= 0, count <= bytes.count / 8 else { throw PluginError("saved state is damaged") }
        let keys = try (0..<count).map { _ in try reader.readString() }
        let writesHeader = try reader.readBool()
        let text = try reader.readString()
        try reader.finish()
        self.keys = hasKeys ? keys : nil
        self.writesHeader = writesHeader
        self.content = Array(text.utf8)
        resumed = true
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(CSVLogger.self) }
