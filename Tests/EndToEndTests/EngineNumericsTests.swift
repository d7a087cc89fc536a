import Foundation
import PluginTestSupport
import XCTest

/// The engine's arithmetic against Keras's own records: every case folder of
/// `Tests/Fixtures/engine-numerics` (recorded from Keras 3.15 on TensorFlow 2.21) is trained by
/// the real `trainer` from the case's `initial.safetensors` with its `model.toml`, and must give
/// Keras's running loss at every batch and each epoch's loss and val_loss within 1e-4 relative,
/// and its final weights within 1e-3 absolute, unless the case's `gates` widen these (to three
/// times Keras's spread against itself). The comparison is `compare.py`'s, in Swift.
final class EngineNumericsTests: EndToEndTestCase {
    static let cases = Repository.fixtures + "/engine-numerics"
    static let strictLoss = 1e-4
    static let strictWeight = 1e-3

    /// Every case folder (a folder with an `expected.json`), sorted by name.
    static func caseNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: cases).filter {
            FileManager.default.fileExists(atPath: cases + "/" + $0 + "/expected.json")
        }.sorted()
    }

    func testTheSixSharedCasesAreInTheFixtures() throws {
        let names = try Self.caseNames()
        for name in ["bn-mlp", "cnn-adam", "cnn-adam-short", "mlp-adam", "mlp-rmsprop", "mlp-sgd-momentum"] {
            XCTAssertTrue(names.contains(name), "\(name) missing from \(Self.cases): \(names)")
        }
    }

    func testMLPWithAdam() throws { try reproduce("mlp-adam") }
    func testMLPWithRMSprop() throws { try reproduce("mlp-rmsprop") }
    func testMLPWithSGDAndNesterovMomentum() throws { try reproduce("mlp-sgd-momentum") }
    func testBatchNormalization() throws { try reproduce("bn-mlp") }
    func testCNNWithAdamForTwentySteps() throws { try reproduce("cnn-adam-short") }
    func testCNNWithAdamForAHundredSteps() throws { try reproduce("cnn-adam") }

    /// Folders added to the fixtures beyond the six above run too.
    func testEveryOtherCaseFolder() throws {
        let known: Set = ["bn-mlp", "cnn-adam", "cnn-adam-short", "mlp-adam", "mlp-rmsprop", "mlp-sgd-momentum"]
        for name in try Self.caseNames() where !known.contains(name) { try reproduce(name) }
    }

    /// A comparison that cannot fail would prove nothing: a run from other weights (Keras's
    /// final ones instead of its initial ones) is caught.
    func testTheComparisonCatchesARunFromOtherWeights() throws {
        try requireFashionMNIST()
        let folder = Self.cases + "/mlp-adam"
        let (run, _) = try train(folder, initialWeights: folder + "/final.safetensors", name: "wrong")
        let problems = try compare(case: folder, run: run)
        XCTAssertFalse(problems.isEmpty, "a run from the wrong weights passed")
    }

    // MARK: - Running a case

    func reproduce(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try requireFashionMNIST()
        let folder = Self.cases + "/" + name
        let (run, batches) = try train(folder, initialWeights: folder + "/initial.safetensors", name: name)
        var problems = try compare(case: folder, run: run)
        problems += try compareBatches(case: folder, recorded: batches)
        XCTAssertTrue(problems.isEmpty, "\(name) differs from Keras:\n" + problems.joined(separator: "\n"),
                      file: file, line: line)
    }

    /// Trains the case's `model.toml` from `initialWeights` into a run directory; returns it and
    /// the running losses the Recorder fixture saw at every `on_train_batch_end`, by epoch.
    func train(_ folder: String, initialWeights: String, name: String) throws -> (URL, [[Double]]) {
        let plugins = directory.appendingPathComponent("fixtures")
        if !FileManager.default.fileExists(atPath: plugins.appendingPathComponent("libRecorder.so").path) {
            try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
            _ = try CCompiler.buildPlugin(Repository.fixtures + "/recorder.c", into: plugins.path, name: "Recorder")
        }
        let run = directory.appendingPathComponent("run-\(name)")
        let log = directory.appendingPathComponent("batches-\(name).log")
        let result = try trainer("train", folder + "/model.toml", "--initial-weights", initialWeights,
                                 "--run-dir", run.path, "--plugins-dir", plugins.path,
                                 "--plugin", "Recorder", "--set", "path=\(log.path)", "--set", "with_logs=true")
        XCTAssertEqual(result.status, 0, result.output)
        var batches: [[Double]] = []
        for line in try String(contentsOf: log, encoding: .utf8).split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.first == "on_epoch_begin" { batches.append([]) }
            guard words.first == "on_train_batch_end", !batches.isEmpty,
                  let loss = words.first(where: { $0.hasPrefix("loss=") }).flatMap({ Double($0.dropFirst(5)) })
            else { continue }
            batches[batches.count - 1].append(loss)
        }
        return (run, batches)
    }

    // MARK: - The comparison (compare.py's)

    struct Gates {
        var loss: Double
        var weight: Double
        var weights: [String: Double]
        func weight(_ name: String) -> Double { weights[name] ?? weight }
    }

    func expected(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "\(folder)/expected.json")
    }

    /// The case's gates: 1e-4 and 1e-3 unless `gates` widens them (one weight gate, or one per weight).
    func gates(_ expected: [String: Any]) -> Gates {
        let g = expected["gates"] as? [String: Any] ?? [:]
        var gates = Gates(loss: (g["epoch_loss_rel"] as? Double) ?? Self.strictLoss, weight: Self.strictWeight, weights: [:])
        if let one = g["weights_abs"] as? Double {
            gates.weight = one
        } else if let each = g["weights_abs"] as? [String: Double] {
            gates.weights = each
        }
        return gates
    }

    static func relative(_ ours: Double, _ keras: Double) -> Double {
        keras != 0 ? abs(ours - keras) / abs(keras) : (ours == 0 ? 0 : .infinity)
    }

    /// What differs beyond the gates: epoch losses and val_losses, weight names, shapes, values.
    func compare(case folder: String, run: URL) throws -> [String] {
        let expected = try expected(folder)
        let gates = gates(expected)
        var problems: [String] = []
        let historyData = try Data(contentsOf: run.appendingPathComponent("history.json"))
        let history = try XCTUnwrap((JSONSerialization.jsonObject(with: historyData) as? [String: Any])?["history"]
                                    as? [String: Any], "history.json")
        let epochs = try XCTUnwrap(expected["epochs"] as? [[String: Any]], "expected.json epochs")
        for key in ["loss", "val_loss"] {
            let ours = try XCTUnwrap(history[key] as? [Double], "history.json has no \(key)")
            guard ours.count == epochs.count else {
                problems.append("\(key): \(ours.count) epochs in the run, \(epochs.count) in the case")
                continue
            }
            for (e, keras) in epochs.enumerated() {
                let k = try XCTUnwrap(keras[key] as? Double, "expected.json epoch \(e) \(key)")
                let d = Self.relative(ours[e], k)
                if !(d <= gates.loss) {
                    problems.append("epoch \(e) \(key): ours \(ours[e]), Keras \(k), relative difference \(d) > \(gates.loss)")
                }
            }
        }
        let keras = try SafetensorsFile(path: folder + "/final.safetensors")
        let ours = try SafetensorsFile(path: run.appendingPathComponent("weights.safetensors").path)
        let missing = Set(keras.tensors.keys).subtracting(ours.tensors.keys).sorted()
        let extra = Set(ours.tensors.keys).subtracting(keras.tensors.keys).sorted()
        if !missing.isEmpty || !extra.isEmpty { problems.append("weight names: missing \(missing), unexpected \(extra)") }
        for name in Set(keras.tensors.keys).intersection(ours.tensors.keys).sorted() {
            let (k, o) = (keras.tensors[name]!, ours.tensors[name]!)
            guard k.shape == o.shape else {
                problems.append("\(name): shape \(o.shape), Keras \(k.shape)")
                continue
            }
            var worst: Float = 0
            for (a, b) in zip(o.values, k.values) {
                let d = abs(a - b)
                worst = d.isNaN ? .infinity : max(worst, d)
            }
            if !(Double(worst) <= gates.weight(name)) {
                problems.append("\(name): largest absolute difference \(worst) > \(gates.weight(name))")
            }
        }
        return problems
    }

    /// The running loss after every batch against Keras's `batches` records, with the case's
    /// loss gate (the epoch's last batch is its loss).
    func compareBatches(case folder: String, recorded: [[Double]]) throws -> [String] {
        let expected = try expected(folder)
        let gate = gates(expected).loss
        let keras = try XCTUnwrap(expected["batches"] as? [[[String: Any]]], "expected.json batches")
        guard recorded.map(\.count) == keras.map(\.count) else {
            return ["batches per epoch: ours \(recorded.map(\.count)), Keras \(keras.map(\.count))"]
        }
        var problems: [String] = []
        for (e, epoch) in keras.enumerated() {
            for (b, logs) in epoch.enumerated() {
                let k = try XCTUnwrap(logs["loss"] as? Double, "expected.json batch \(b) of epoch \(e)")
                let d = Self.relative(recorded[e][b], k)
                if !(d <= gate) {
                    problems.append("epoch \(e) batch \(b) running loss: ours \(recorded[e][b]), Keras \(k), relative difference \(d) > \(gate)")
                }
            }
        }
        return problems.count > 5 ? problems.prefix(5) + ["... and \(problems.count - 5) more batches"] : problems
    }
}

/// The float32 tensors of a safetensors file (u64 header length, JSON header, data).
struct SafetensorsFile {
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw HarnessError("\(path): too short for safetensors") }
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        guard 8 + length <= bytes.count,
              let header = try JSONSerialization.jsonObject(with: Data(bytes[8 ..< 8 + length])) as? [String: Any]
        else { throw HarnessError("\(path): bad safetensors header") }
        let start = 8 + length
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  start + offsets[1] <= bytes.count, offsets[1] - offsets[0] == 4 * shape.reduce(1, *)
            else { throw HarnessError("\(path): tensor \(name) is not a float32 tensor this reader understands") }
            var values = [Float](repeating: 0, count: shape.reduce(1, *))
            for i in values.indices {
                let at = start + offsets[0] + 4 * i
                let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            tensors[name] = (shape, values)
        }
    }
}
