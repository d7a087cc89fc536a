import Foundation
import PluginTestSupport
import XCTest

/// ABI 1.2's additions in real runs of the real binary: "trainer.logs/1", "trainer.predict/1",
/// "trainer.weights/1", stop reasons and required parameters, through a hostile C probe and the
/// plugins built on them (ClassificationReport, SwapEMAWeights), in process and isolated.
final class ABIExtensionsTests: EndToEndTestCase {
    /// `trainer train --limit 256 --verbose 0 --run-dir RUN ARGUMENTS`.
    func train(_ arguments: [String], runDirectory: String = "run") throws -> TrainerBinary.Result {
        try requireFashionMNIST()
        return try TrainerBinary.run(["train", "--limit", "256", "--verbose", "0", "--run-dir", runDirectory] + arguments,
                                     in: directory)
    }

    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(path))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    /// history.json's values by name, NaN for null.
    func history(_ run: String = "run") throws -> (epochs: [Int], values: [String: [Double]]) {
        let json = try json("\(run)/history.json")
        let values = try XCTUnwrap(json["history"] as? [String: [Any]]).mapValues { $0.map { ($0 as? Double) ?? .nan } }
        return (try XCTUnwrap(json["epochs"] as? [Int]), values)
    }

    func buildProbe() throws -> String {
        let plugins = directory.appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileModes.set(plugins)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/extension_probe.c", into: plugins, name: "ExtensionProbe",
                                      defines: [])
        return plugins
    }

    /// Every call answers as the header says: a bad argument is an error status, never a crash;
    /// the good ones work. The isolated plugin gets the same answers through the relay. A value
    /// added to epoch 0's logs reaches History (listed after it) and does not carry over into
    /// epoch 1; the stop's reason, cut at 1024 bytes, is in report.json.
    func testExtensionsAnswerAsTheHeaderSaysInProcessAndIsolated() throws {
        let plugins = try buildProbe()
        var answers: [[String]] = []
        for (run, isolate) in [("run", false), ("isolated", true)] {
            let result = try train(["--epochs", "5", "--plugins-dir", plugins, "--plugin", "ExtensionProbe"]
                                   + (isolate ? ["--isolate"] : []), runDirectory: run)
            XCTAssertEqual(result.status, 0, result.output)
            let lines = result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ExtensionProbe: probe: ") }
            answers.append(lines)
            XCTAssertEqual(try history(run).epochs, [0, 1, 2], "stopped at epoch 2")
            let probe = try XCTUnwrap(history(run).values["probe_value"])
            XCTAssertEqual(probe.count, 3)
            XCTAssertEqual(probe[0], 7)
            XCTAssertTrue(probe[1].isNaN && probe[2].isNaN, "a value added in one epoch is gone in the next: \(probe)")
            let stop = try XCTUnwrap(json("\(run)/report.json")["stop"] as? [String: Any])
            XCTAssertEqual(stop["plugin"] as? String, "ExtensionProbe")
            XCTAssertEqual(stop["epoch"] as? Int, 2)
            let reason = try XCTUnwrap(stop["reason"] as? String)
            XCTAssertTrue(reason.hasPrefix("\u{FFFD}rrr"), "bytes that are not UTF-8 are replaced")
            XCTAssertEqual(reason.utf8.count, 1024, "cut at 1024 bytes")
            XCTAssertEqual(reason.count, 1 + 1021)
        }
        XCTAssertEqual(answers[0], answers[1], "the relay answers as the training process does")
        let epoch0 = answers[0].filter { $0.contains("epoch 0:") || $0.contains("create:") }.map {
            String($0.dropFirst("ExtensionProbe: probe: ".count))
        }
        XCTAssertEqual(epoch0, [
            "create: logs ext found",
            "create: logs set outside a hook -> error",
            "epoch 0: logs set NULL -> error",
            "epoch 0: logs set empty -> error",
            "epoch 0: logs set control -> error",
            "epoch 0: logs set 299 bytes -> error",
            "epoch 0: logs set bad utf8 -> error",
            "epoch 0: logs set probe_value -> ok",
            "epoch 0: validation batches 8",
            "epoch 0: predict batch -1 -> error",
            "epoch 0: predict batch past the end -> error",
            "epoch 0: predict batch into NULL -> error",
            "epoch 0: predict last batch -> ok first 224 rows 32 outputs 10 targets 1 sums 1",
            "epoch 0: predict NULL inputs -> error",
            "epoch 0: predict input_size 5 -> error",
            "epoch 0: predict rows -1 -> error",
            "epoch 0: predict 3 rows -> ok rows 3 outputs 10 targets none",
            "epoch 0: set weight -1 -> error",
            "epoch 0: set weight short -> error",
            "epoch 0: set weight NULL -> error",
            "epoch 0: set weights count 1 -> error",
            "epoch 0: set weight 0 -> ok",
        ])
        // Setting weight 0 to its own values changes nothing: the run trains as one without the probe.
        let plain = try train(["--epochs", "3"], runDirectory: "plain")
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertEqual(try history("plain").values["loss"], try history().values["loss"])
    }

    /// ClassificationReport's val_f1 in the logs: History and CSVLogger listed after it record
    /// it, it is the macro F1 of the confusion matrix it writes, and EarlyStopping and
    /// ModelCheckpoint monitoring it with mode auto maximize it.
    func testClassificationReportFeedsEarlyStoppingAndModelCheckpoint() throws {
        let result = try train(["--epochs", "6", "--plugin", "ClassificationReport",
                                "--plugin", "EarlyStopping", "--set", "monitor=val_f1", "--set", "patience=1",
                                "--plugin", "ModelCheckpoint", "--set", "filepath=best-{epoch}.safetensors",
                                "--set", "monitor=val_f1", "--set", "save_best_only=true",
                                "--plugin", "CSVLogger", "--set", "filename=log.csv"])
        XCTAssertEqual(result.status, 0, result.output)
        let (epochs, values) = try history()
        let f1 = try XCTUnwrap(values["val_f1"])
        XCTAssertEqual(f1.count, epochs.count)
        XCTAssertNotNil(values["val_precision"])
        XCTAssertNotNil(values["val_recall"])
        XCTAssertTrue(f1.allSatisfy { $0 > 0 && $0 <= 1 }, "\(f1)")

        // The last epoch's matrix: every validation sample once, and its macro F1 is the logged one.
        let csv = try String(contentsOf: directory.appendingPathComponent("run/confusion_matrix.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropFirst().map { Int($0)! } }
        XCTAssertEqual(rows.count, 10)
        XCTAssertEqual(rows.joined().reduce(0, +), 256)
        var scores: [Double] = []
        for c in 0..<10 {
            let tp = Double(rows[c][c]), predicted = Double(rows.map { $0[c] }.reduce(0, +)), actual = Double(rows[c].reduce(0, +))
            guard predicted + actual > 0 else { continue }
            let p = predicted > 0 ? tp / predicted : 0, r = actual > 0 ? tp / actual : 0
            scores.append(p + r > 0 ? 2 * p * r / (p + r) : 0)
        }
        XCTAssertEqual(scores.reduce(0, +) / Double(scores.count), f1.last!, accuracy: 1e-12)

        // mode auto maximizes val_f1: the best epoch is the first with the highest F1.
        let best = f1.firstIndex(of: f1.max()!)!
        let report = try json("run/report.json")
        XCTAssertEqual((report["EarlyStopping"] as? [String: Double])?["best_epoch"], Double(best))
        // Saved exactly at each new maximum (1-based names).
        var maxima: [Int] = []
        var top = -Double.infinity
        for (i, value) in f1.enumerated() where value > top {
            maxima.append(i + 1)
            top = value
        }
        let saved = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("run").path)
            .filter { $0.hasPrefix("best-") }.sorted()
        XCTAssertEqual(saved, maxima.map { "best-\($0).safetensors" }.sorted())
        let header = try String(contentsOf: directory.appendingPathComponent("run/log.csv"), encoding: .utf8)
            .split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(header.contains("val_f1"), header)

        // Isolated, the same numbers through the relay.
        let isolated = try train(["--epochs", "2", "--plugin", "ClassificationReport", "--isolate"], runDirectory: "isolated")
        let inProcess = try train(["--epochs", "2", "--plugin", "ClassificationReport"], runDirectory: "again")
        XCTAssertEqual(isolated.status, 0, isolated.output)
        XCTAssertEqual(inProcess.status, 0, inProcess.output)
        XCTAssertEqual(try history("isolated").values, try history("again").values)
        XCTAssertEqual(try history("again").values["val_f1"]?.prefix(2), f1.prefix(2)[...], "the same run gives the same scores")
    }

    /// SwapEMAWeights: validation sees the average, training does not; with finalize the run ends
    /// with the average (evaluating weights.safetensors gives the last epoch's val_loss); with
    /// momentum 0 the average is the weights themselves and nothing changes. Isolated, the
    /// weights it sets travel through the relay to the same result.
    func testSwapEMAWeightsValidatesAndEndsWithTheAverage() throws {
        let config = try write("epochs = 3\n[data]\nlimit = 256\n[plugins]\nenabled = [\"History\", \"SwapEMAWeights\"]\n",
                               to: "ema.toml")
        let plain = try train(["--epochs", "3"], runDirectory: "plain")
        let ema = try train([config.path], runDirectory: "ema")
        let kept = try train([config.path, "--plugin", "SwapEMAWeights", "--set", "finalize=false"], runDirectory: "kept")
        let zero = try train([config.path, "--plugin", "SwapEMAWeights", "--set", "ema_momentum=0"], runDirectory: "zero")
        let isolated = try train([config.path, "--isolate"], runDirectory: "isolated")
        for result in [plain, ema, kept, zero, isolated] { XCTAssertEqual(result.status, 0, result.output) }
        let (p, e, k, z) = (try history("plain").values, try history("ema").values, try history("kept").values,
                            try history("zero").values)
        XCTAssertEqual(e["loss"], p["loss"], "training is not changed by the average")
        XCTAssertNotEqual(e["val_loss"], p["val_loss"], "validation sees the average")
        XCTAssertEqual(k["val_loss"], e["val_loss"], "finalize changes only the end")
        XCTAssertEqual(z["val_loss"], p["val_loss"], "momentum 0: the average is the weights")
        XCTAssertEqual(try history("isolated").values, e)
        let weights = { (run: String) in try Data(contentsOf: self.directory.appendingPathComponent("\(run)/weights.safetensors")) }
        XCTAssertEqual(try weights("isolated"), try weights("ema"))
        XCTAssertEqual(try weights("kept"), try weights("plain"), "without finalize the training weights stay")
        XCTAssertNotEqual(try weights("ema"), try weights("plain"))

        let evaluated = try trainer("evaluate", config.path, "--weights", "ema/weights.safetensors", "--run-dir", "eval")
        XCTAssertEqual(evaluated.status, 0, evaluated.output)
        let loss = try XCTUnwrap(evaluated.stdout.components(separatedBy: "loss: ").dropFirst().first?
            .prefix { $0 == "." || $0.isNumber }).description
        XCTAssertEqual(try XCTUnwrap(Double(loss)), try XCTUnwrap(e["val_loss"]?.last), accuracy: 1e-4,
                       "the final weights are the average validation used: \(evaluated.stdout)")
    }

    /// "trainer.distributed/1" reaches an isolated plugin through the relay: RankProbe, which
    /// refuses to start without it, is created in its plugin host and says rank 0 of 1.
    func testAnIsolatedPluginGetsTheDistributedExtension() throws {
        let plugins = directory.appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        try FileModes.set(plugins)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/rank_probe.c", into: plugins, name: "RankProbe")
        let result = try train(["--epochs", "1", "--plugins-dir", plugins, "--plugin", "RankProbe", "--isolate"])
        XCTAssertEqual(result.status, 0, result.output)
        let said = try String(contentsOf: directory.appendingPathComponent("run/rank-0.txt"), encoding: .utf8)
        XCTAssertTrue(said.hasPrefix("rank 0 world 1 batches 8 "), said)
    }

    /// A required parameter left out is a usage error naming the plugin and the key; `plugins
    /// info` shows it as required.
    func testRequiredParameterIsRefusedNamingPluginAndKey() throws {
        let result = try train(["--epochs", "1", "--plugin", "ModelCheckpoint"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("plugin ModelCheckpoint, parameter filepath: required"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run").path),
                       "nothing written")
        let info = try trainer("plugins", "info", "ModelCheckpoint")
        XCTAssertEqual(info.status, 0, info.output)
        let line = try XCTUnwrap(info.stdout.split(separator: "\n").first { $0.hasPrefix("filepath") })
        XCTAssertTrue(line.contains("(required)"), String(line))
    }

    /// The reason EarlyStopping gives with its stop: printed at the end, in report.json, and in
    /// a replay's sentence.
    func testStopReasonIsPrintedRecordedAndReplayed() throws {
        try requireFashionMNIST()
        let result = try TrainerBinary.run(["train", "--limit", "256", "--epochs", "5", "--run-dir", "run", "--verbose", "2",
                                            "--plugin", "EarlyStopping", "--set", "monitor=loss", "--set", "min_delta=10",
                                            "--set", "patience=1"], in: directory)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("EarlyStopping stopped training at epoch 2: loss did not improve for 1 epoch"),
                      result.stdout)
        let stop = try XCTUnwrap(json("run/report.json")["stop"] as? [String: Any])
        XCTAssertEqual(stop["plugin"] as? String, "EarlyStopping")
        XCTAssertEqual(stop["epoch"] as? Int, 1)
        XCTAssertTrue((stop["reason"] as? String)?.hasPrefix("loss did not improve for 1 epoch (best ") == true, "\(stop)")

        let replay = try trainer("replay", "run/history.json", "--plugin", "EarlyStopping", "--set", "monitor=loss",
                                 "--set", "min_delta=10", "--set", "patience=1")
        XCTAssertEqual(replay.status, 0, replay.output)
        XCTAssertTrue(replay.stdout.contains("stopped at epoch 2 of 2 because loss did not improve for 1 epoch"), replay.stdout)
    }
}
