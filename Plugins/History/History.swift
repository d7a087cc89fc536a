import TrainerPluginSDK

/// Keras's `History` callback as a plugin: records every epoch's logs and keeps them in a JSON
/// file in the run directory, rewritten after each epoch (atomically, so a crash keeps every
/// finished epoch) and at the end of training:
///
/// ```json
/// {
///   "epochs": [0, 1, 2],
///   "history": {
///     "loss": [0.512, 0.401, 0.377],
///     "accuracy": [0.82, 0.86, 0.87],
///     "val_loss": [0.44, 0.41, 0.40],
///     "learning_rate": [0.001, 0.001, 0.001]
///   },
///   "params": {"epochs": 3, "steps": 1875, "batch_size": 32, "verbose": 1, "world_size": 1}
/// }
/// ```
///
/// `epochs` is Keras's `history.epoch`, `history` its `history.history` (names in the order
/// they first appeared) and `params` the run's `history.params` plus `batch_size` and
/// `world_size` (the ranks training together under mpirun, "trainer.distributed/1"; `steps`
/// and `batch_size` are then per rank). Unlike
/// Keras, each list has one entry per epoch: a name missing from an epoch's logs, and a value
/// that is NaN or infinite, is written as `null` (JSON has no NaN). A resumed run continues
/// the same history through the saved state.
public final class History: TrainerCallback, OnEpochEnd, OnTrainEnd, StatefulCallback {
    public static let id = "History"
    public static let version = "1.0.0"
    public static let summary = "Records every epoch's logs into history.json in the run directory."
    public static let parameters: [ParameterSpec] = [
        .string("filename", default: "history.json",
                help: "file written in the run directory (an absolute path is used as is)"),
    ]

    private let run: RunParameters
    private let path: String
    /// Epoch indices, in order (Keras: `history.epoch`).
    private var epochs: [Int] = []
    /// Log names in order of first appearance, and one entry per epoch for each.
    private var names: [String] = []
    private var series: [String: [Double?]] = [:]
    private let worldSize: Int

    public init(parameters: Parameters, host: Host) throws {
        let filename = try parameters.string("filename")
        guard !filename.isEmpty, !filename.hasSuffix("/") else {
            throw PluginError("filename must name a file, got '\(filename)'")
        }
        run = try host.runParameters
        worldSize = host.distributed.worldSize
        guard filename.hasPrefix("/") || !run.runDirectory.isEmpty else {
            throw PluginError("the host gave no run directory for '\(filename)'")
        }
        path = filePath(filename, in: run.runDirectory)
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        epochs.append(epoch)
        for (name, _) in logs where series[name] == nil {
            names.append(name)
            series[name] = Array(repeating: nil, count: epochs.count - 1)
        }
        for name in names {
            series[name]!.append(logs[name])
        }
        try write()
    }

    public func onTrainEnd(logs: Logs) throws {
        try write()
    }

    // MARK: - Saved state: the epochs and values so far

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(epochs: epochs, names: names, series: series)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let (epochs, names, series) = try reader.readEpochSeries()
        try reader.finish()
        (self.epochs, self.names, self.series) = (epochs, names, series)
    }

    // MARK: - The file

    private func write() throws {
        try writeFileAtomically(json(), to: path)
    }

    private func json() -> String {
        var text = "{\n"
        text += "  \"epochs\": [\(epochs.map(String.init).joined(separator: ", "))],\n"
        text += "  \"history\": {"
        text += names.isEmpty ? "" : "\n"
        text += names.map { name in
            let values = series[name]!.map(jsonNumber).joined(separator: ", ")
            return "    \(jsonString(name)): [\(values)]"
        }.joined(separator: ",\n")
        text += names.isEmpty ? "},\n" : "\n  },\n"
        text += "  \"params\": {\"epochs\": \(run.epochs), \"steps\": \(run.steps), "
        text += "\"batch_size\": \(run.batchSize), \"verbose\": \(run.verbose), \"world_size\": \(worldSize)}\n"
        text += "}\n"
        return text
    }
}

/// A JSON number, or `null` for a missing, NaN or infinite value.
private func jsonNumber(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "null" }
    return "\(value)"
}

private func jsonString(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(History.self) }
