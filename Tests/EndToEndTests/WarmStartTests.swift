import Foundation
import PluginTestSupport
import XCTest

/// `trainer train --initial-weights FILE` and `initial_weights = "..."`: a run starts from saved
/// weights (a run's `weights.safetensors`, a ModelCheckpoint file), checked tensor by tensor;
/// a BackupAndRestore backup found when the run starts wins over them.
final class WarmStartTests: EndToEndTestCase {
    /// A quick MLP; `rate` 0 leaves the weights as they start, so a run's final weights show
    /// what it started from.
    func config(rate: Double = 0.001, epochs: Int = 1, extra: String = "", plugins: [String] = ["History"]) -> String {
        """
        epochs = \(epochs)
        verbose = 0
        \(extra)
        [model.optimizer]
        name = "sgd"
        learning_rate = \(rate)
        [data]
        limit = 256
        [plugins]
        enabled = [\(plugins.map { "\"\($0)\"" }.joined(separator: ", "))]
        """
    }

    func tensors(_ path: String) throws -> [String: [Float]] {
        try SafetensorsFile(path: directory.appendingPathComponent(path).path).tensors.mapValues(\.values)
    }

    /// Trains `config` into `run` (seed `seed`): the weights to start from.
    func trainedWeights(_ run: String, seed: Int = 1) throws -> String {
        _ = try write(config(), to: "\(run).toml")
        let result = try trainer("train", "\(run).toml", "--run-dir", run, "--seed", "\(seed)")
        XCTAssertEqual(result.status, 0, result.output)
        return "\(run)/weights.safetensors"
    }

    func testARunsFinalWeightsAreWhereTheNextRunStarts() throws {
        try requireFashionMNIST()
        let start = try trainedWeights("first")
        _ = try write(config(rate: 0), to: "still.toml")
        let result = try trainer("train", "still.toml", "--initial-weights", start, "--run-dir", "second", "--seed", "7")
        XCTAssertEqual(result.status, 0, result.output)
        let before = try tensors(start)
        XCTAssertTrue(try tensors("second/weights.safetensors") == before, "the run started from the file's weights")
        // Without the option the same run starts from its own seed's weights.
        let fresh = try trainer("train", "still.toml", "--run-dir", "fresh", "--seed", "7")
        XCTAssertEqual(fresh.status, 0, fresh.output)
        XCTAssertFalse(try tensors("fresh/weights.safetensors") == before, "a run without the option starts elsewhere")
    }

    /// The optimizer starts fresh: a warm-started run of one epoch equals, bit for bit, the
    /// first epoch of a run whose weights were set the same way (here: both start from the
    /// file, so both begin with Adam's step 1).
    func testTheOptimizerStartsFresh() throws {
        try requireFashionMNIST()
        let start = try trainedWeights("first")
        _ = try write(config().replacingOccurrences(of: "name = \"sgd\"", with: "name = \"adam\""), to: "adam.toml")
        for run in ["a", "b"] {
            let result = try trainer("train", "adam.toml", "--initial-weights", start, "--run-dir", run)
            XCTAssertEqual(result.status, 0, result.output)
        }
        XCTAssertTrue(try tensors("a/weights.safetensors") == (try tensors("b/weights.safetensors")), "the same run twice")
        XCTAssertFalse(try tensors("a/weights.safetensors") == (try tensors(start)), "it trained")
    }

    func testAModelCheckpointFileIsAValidStart() throws {
        try requireFashionMNIST()
        _ = try write(config(extra: "", plugins: ["History", "ModelCheckpoint"]) + """

            [plugins.ModelCheckpoint]
            filepath = "checkpoint.safetensors"
            """, to: "checkpointed.toml")
        let first = try trainer("train", "checkpointed.toml", "--run-dir", "first")
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = "first/checkpoint.safetensors"
        _ = try write(config(rate: 0), to: "still.toml")
        let result = try trainer("train", "still.toml", "--initial-weights", checkpoint, "--run-dir", "second")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(try tensors("second/weights.safetensors") == (try tensors(checkpoint)), "started from the checkpoint")
    }

    /// `initial_weights` in the file is relative to the file's directory, wherever the command
    /// runs; `--initial-weights` overrides it.
    func testInitialWeightsInTheConfigurationAreRelativeToIt() throws {
        try requireFashionMNIST()
        let start = try trainedWeights("first")
        let other = try trainedWeights("other", seed: 2)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("case"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.appendingPathComponent(start),
                                         to: directory.appendingPathComponent("case/start.safetensors"))
        _ = try write(config(rate: 0, extra: "initial_weights = \"start.safetensors\""), to: "case/model.toml")
        let result = try trainer("train", "case/model.toml", "--run-dir", "second")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(try tensors("second/weights.safetensors") == (try tensors(start)), "started from initial_weights")
        let overridden = try trainer("train", "case/model.toml", "--run-dir", "third", "--initial-weights", other)
        XCTAssertEqual(overridden.status, 0, overridden.output)
        XCTAssertTrue(try tensors("third/weights.safetensors") == (try tensors(other)), "--initial-weights wins over the key")
    }

    /// A file that does not hold exactly the model's weights is exit status 2 with a message
    /// naming the option (or the key), the file and the tensor; nothing is trained and no run
    /// directory is left.
    func testAFileThatDoesNotFitTheModelIsRefusedNamingTheTensor() throws {
        try requireFashionMNIST()
        let start = try trainedWeights("first")
        let good = try tensors(start)
        func writeFile(_ name: String, _ entries: [(String, String, [Int], [Float])]) throws -> String {
            var header: [String: Any] = [:], body = Data(), offset = 0
            for (tensor, dtype, shape, values) in entries {
                let bytes = dtype == "F16" ? values.count * 2 : values.count * 4
                header[tensor] = ["dtype": dtype, "shape": shape, "data_offsets": [offset, offset + bytes]]
                body.append(Data(repeating: 0, count: bytes))
                offset += bytes
            }
            var json = try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)
            while json.count % 8 != 0 { json.append(0x20) }
            var file = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
            file.append(json)
            file.append(body)
            try file.write(to: directory.appendingPathComponent(name))
            return name
        }
        func shape(_ name: String) -> [Int] {
            switch name {
            case "dense/kernel": return [784, 128]
            case "dense/bias": return [128]
            case "dense_1/kernel": return [128, 10]
            default: return [10]
            }
        }
        let exact = good.keys.sorted().map { ($0, "F32", shape($0), good[$0]!) }
        let cases: [(file: String, says: String)] = [
            (try writeFile("missing.safetensors", exact.filter { $0.0 != "dense_1/bias" }), "tensor 'dense_1/bias' is missing"),
            (try writeFile("extra.safetensors", exact + [("dense_2/kernel", "F32", [2], [1, 2])]),
             "tensor 'dense_2/kernel' is not a weight of this model"),
            (try writeFile("shape.safetensors", exact.map { $0.0 == "dense/bias" ? ($0.0, "F32", [64, 2], $0.3) : $0 }),
             "tensor 'dense/bias' has shape [64, 2], the model expects [128]"),
            (try writeFile("dtype.safetensors", exact.map { $0.0 == "dense_1/kernel" ? ($0.0, "F16", $0.2, $0.3) : $0 }),
             "tensor 'dense_1/kernel': dtype F16 is not supported (only F32)"),
            ("absent.safetensors", "cannot read the file"),
        ]
        _ = try write(config(), to: "run.toml")
        for (file, says) in cases {
            let result = try trainer("train", "run.toml", "--initial-weights", file, "--run-dir", "refused")
            XCTAssertEqual(result.status, 2, "\(file): \(result.output)")
            XCTAssertTrue(result.stderr.contains("--initial-weights: \(file): \(says)"), "\(file): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("refused").path),
                           "\(file): no run directory is left")
        }
        _ = try write(config(extra: "initial_weights = \"../missing.safetensors\""), to: "conf/run.toml")
        let fromFile = try trainer("train", "conf/run.toml")
        XCTAssertEqual(fromFile.status, 2, fromFile.output)
        XCTAssertTrue(fromFile.stderr.contains("conf/run.toml: initial_weights: conf/../missing.safetensors: tensor 'dense_1/bias' is missing"),
                      fromFile.stderr)
        _ = try write(config(extra: "initial_weights = 3"), to: "bad.toml")
        let badKey = try trainer("train", "bad.toml")
        XCTAssertEqual(badKey.status, 2, badKey.output)
        XCTAssertTrue(badKey.stderr.contains("initial_weights"), badKey.stderr)
    }

    /// Started again after it was killed, a run resumes from BackupAndRestore's backup even when
    /// it is given other initial weights, as Keras's BackupAndRestore restores over weights
    /// loaded before `fit`: it ends as the run never interrupted.
    func testABackupFoundWhenTheRunStartsWinsOverTheInitialWeights() throws {
        try requireFashionMNIST()
        let fixtures = directory.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/kill.c", into: fixtures.path, name: "Kill")
        let start = try trainedWeights("first")
        let other = try trainedWeights("other", seed: 2)
        _ = try write(config(epochs: 2, plugins: ["History", "BackupAndRestore"]) + """

            [plugins.BackupAndRestore]
            backup_dir = "backup"
            """, to: "resumable.toml")
        // Killed in the second epoch's first batch: the backup of the first epoch's end is there.
        let command = ["train", "resumable.toml", "--plugins-dir", fixtures.path, "--plugin", "Kill",
                       "--set", "hook=on_train_batch_end", "--set", "epoch=1", "--set", "batch=0"]
        let whole = try TrainerBinary.run(command + ["--initial-weights", start, "--run-dir", "whole"], in: directory)
        XCTAssertEqual(whole.status, 0, whole.output)
        let killed = try TrainerBinary.run(command + ["--initial-weights", start, "--run-dir", "interrupted"],
                                           in: directory, environment: ["KILL_PLUGIN_ARMED": "1"])
        XCTAssertEqual(killed.status, SIGKILL, killed.output)
        let resumed = try TrainerBinary.run(command + ["--initial-weights", other, "--run-dir", "interrupted"], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resuming from the backup"), resumed.output)
        XCTAssertTrue(try tensors("interrupted/weights.safetensors") == (try tensors("whole/weights.safetensors")),
                      "the resumed run ends as the run from the first weights")
        // The run started from `other` instead ends elsewhere: the comparison can fail.
        let fromOther = try TrainerBinary.run(command + ["--initial-weights", other, "--run-dir", "fromOther"], in: directory)
        XCTAssertEqual(fromOther.status, 0, fromOther.output)
        XCTAssertFalse(try tensors("fromOther/weights.safetensors") == (try tensors("whole/weights.safetensors")),
                       "a run from the other weights ends elsewhere")
    }

    func testValidationLimitValidatesOnTheFirstNSamples() throws {
        try requireFashionMNIST()
        _ = try write(config(), to: "run.toml")
        let result = try trainer("train", "run.toml", "--validation-limit", "100", "--verbose", "1", "--run-dir", "r")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("Training on 256 samples, validating on 100"), result.stdout)
        let keyed = try write(config().replacingOccurrences(of: "limit = 256", with: "limit = 256\nvalidation_limit = 40"),
                              to: "keyed.toml")
        let fromFile = try trainer("train", keyed.path, "--verbose", "1", "--run-dir", "k")
        XCTAssertEqual(fromFile.status, 0, fromFile.output)
        XCTAssertTrue(fromFile.stdout.contains("Training on 256 samples, validating on 40"), fromFile.stdout)
        let zero = try trainer("train", "run.toml", "--validation-limit", "0")
        XCTAssertEqual(zero.status, 2, zero.output)
        XCTAssertTrue(zero.stderr.contains("--validation-limit must be at least 1"), zero.stderr)
        let negative = try write(config().replacingOccurrences(of: "limit = 256", with: "limit = 256\nvalidation_limit = -3"),
                                 to: "negative.toml")
        let refused = try trainer("train", negative.path)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("validation_limit"), refused.stderr)
    }
}
