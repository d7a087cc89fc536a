// A Swift plugin built against the SDK, for the SDK's own tests: it implements all 14 hooks
// and saved state, declares one parameter of every kind, and uses every host service, writing
// what it saw to a file. The tests compile it with swiftc, against the SDK built as a separate
// module, as a plugin author's package would.
import TrainerPluginSDK
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
}

public final class SwiftProbe: TrainerCallback, StatefulCallback,
    OnTrainBegin, OnTrainEnd, OnEpochBegin, OnEpochEnd, OnTrainBatchBegin, OnTrainBatchEnd,
    OnTestBegin, OnTestEnd, OnTestBatchBegin, OnTestBatchEnd,
    OnPredictBegin, OnPredictEnd, OnPredictBatchBegin, OnPredictBatchEnd
{
    public static let id = "SwiftProbe"
    public static let name = "Swift probe"
    public static let version = "0.1.0"
    public static let summary = "Records its hook calls and what the SDK tells it."
    public static let parameters: [ParameterSpec] = [
        .string("path", default: "probe.log", help: "file the calls are appended to"),
        .string("fail_at", default: nil, help: "hook (C name) that throws"),
        .bool("fail_in_init", default: false, help: "throw from init"),
        .int("count", default: 3, help: "an int", min: 0, max: 10),
        .double("ratio", default: nil, help: "a nullable double", min: 0, max: 1),
        .string("choice", default: "a", help: "one of a, b", choices: ["a", "b"]),
    ]

    private let host: Host
    private let path: String
    private let failAt: String?
    private var calls = 0

    public init(parameters: Parameters, host: Host) throws {
        if try parameters.bool("fail_in_init") { throw ProbeFailure(description: "probe refused to start (café)") }
        self.host = host
        path = filePath(try parameters.string("path"), in: try host.runParameters.runDirectory)
        failAt = try parameters.optionalString("fail_at")
        let ratio = try parameters.optionalDouble("ratio").map { "\($0)" } ?? "none"
        record("init count=\(try parameters.int("count")) ratio=\(ratio) choice=\(try parameters.string("choice"))"
               + " names=\(parameters.names.joined(separator: ","))")
    }

    private func record(_ line: String) {
        let existing = (try? readFile(path)) ?? ""
        try? writeFileAtomically(existing + line + "\n", to: path)
    }

    private func hook(_ name: String, _ index: Int? = nil, _ logs: Logs) throws {
        calls += 1
        let pairs = logs.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        record([name, index.map(String.init), "[\(pairs)]"].compactMap { $0 }.joined(separator: " "))
        if name == failAt { throw PluginError("asked to fail at \(name)") }
    }

    public func onTrainBegin(logs: Logs) throws {
        try hook("on_train_begin", nil, logs)
        let run = try host.runParameters
        var seen = ["host=\(host.hostName)/\(host.hostVersion) abi=\(host.abiVersion.major).\(host.abiVersion.minor)"]
        seen.append("run=\(run.epochs),\(run.steps),\(run.batchSize),\(run.samples),\(run.verbose),\(run.initialEpoch),\(run.validationSamples)")
        let before = host.learningRate
        try host.setLearningRate(before * 2)
        seen.append("lr=\(before)->\(host.learningRate)")
        do { try host.setLearningRate(-1) } catch { seen.append("negative lr: \(error)") }
        if let snapshot = host.snapshotWeights() {
            try host.restoreWeights(snapshot)
            host.releaseSnapshot(snapshot)
            seen.append("snapshot=\(snapshot.id)")
        }
        for weight in try host.weights() {
            seen.append("weight \(weight.name) \(weight.shape) \(weight.copyData())")
        }
        let evaluation = try host.evaluate()
        seen.append("evaluate \(evaluation)")
        do { try host.saveWeights(to: "/nowhere/w.safetensors") } catch { seen.append("save: \(error)") }
        seen.append("extension=\(host.extension(id: "trainer.none/1") == nil ? "nil" : "set")")
        host.log(.info, seen.joined(separator: "; "))
        // Logs given to a hook are borrowed; a copy outlives it.
        let kept = logs.copy()
        host.log(.debug, "kept \(kept.count) \(kept["loss"].map { "\($0)" } ?? "-") \(kept.dictionary.count)")
    }

    public func onTrainEnd(logs: Logs) throws { try hook("on_train_end", nil, logs) }
    public func onEpochBegin(epoch: Int, logs: Logs) throws { try hook("on_epoch_begin", epoch, logs) }
    public func onEpochEnd(epoch: Int, logs: Logs) throws { try hook("on_epoch_end", epoch, logs) }
    public func onTrainBatchBegin(batch: Int, logs: Logs) throws { try hook("on_train_batch_begin", batch, logs) }
    public func onTrainBatchEnd(batch: Int, logs: Logs) throws { try hook("on_train_batch_end", batch, logs) }
    public func onTestBegin(logs: Logs) throws { try hook("on_test_begin", nil, logs) }
    public func onTestEnd(logs: Logs) throws { try hook("on_test_end", nil, logs) }
    public func onTestBatchBegin(batch: Int, logs: Logs) throws { try hook("on_test_batch_begin", batch, logs) }
    public func onTestBatchEnd(batch: Int, logs: Logs) throws { try hook("on_test_batch_end", batch, logs) }
    public func onPredictBegin(logs: Logs) throws { try hook("on_predict_begin", nil, logs) }
    public func onPredictEnd(logs: Logs) throws { try hook("on_predict_end", nil, logs) }
    public func onPredictBatchBegin(batch: Int, logs: Logs) throws { try hook("on_predict_batch_begin", batch, logs) }
    public func onPredictBatchEnd(batch: Int, logs: Logs) throws { try hook("on_predict_batch_end", batch, logs) }

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter()
        writer.write(calls)
        writer.write("probe")
        writer.write([1.5, -2.0])
        writer.write(true)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        let calls = try reader.readInt()
        guard try reader.readString() == "probe", try reader.readDoubles() == [1.5, -2.0],
              try reader.readBool(), reader.isAtEnd
        else { throw PluginError("not a probe state") }
        self.calls = calls
        record("loaded calls=\(calls)")
    }
}

/// The file's text, or nil when it does not exist.
private func readFile(_ path: String) throws -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(SwiftProbe.self) }
