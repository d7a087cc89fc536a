import Foundation
import PluginTestSupport
import XCTest

/// Every bundled plugin in a real run of the real binary: found by discovery, its settings
/// checked by the host against its descriptor, its decisions visible in what the run wrote.
/// (ProgbarLogger, History, StopAtAccuracy: TrainCommandTests; BackupAndRestore: ResumeTests;
/// TensorBoard, RemoteMonitor, LambdaCallback: their own test targets; the README's
/// configurations: ReadmeConfigurationTests.)
final class BundledPluginRunTests: EndToEndTestCase {
    /// `trainer train --epochs N --limit 256 --verbose 2 --run-dir run ARGUMENTS`.
    func train(epochs: Int, _ arguments: String..., config: String? = nil) throws -> TrainerBinary.Result {
        try requireFashionMNIST()
        var command = ["train"]
        if let config { command.append(try write(config, to: "run.toml").path) }
        command += ["--epochs", "\(epochs)", "--limit", "256", "--verbose", "2", "--run-dir", "run"] + arguments
        return try TrainerBinary.run(command, in: directory)
    }

    func history() throws -> (epochs: [Int], values: [String: [Double?]]) {
        let data = try Data(contentsOf: directory.appendingPathComponent("run/history.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let values = try XCTUnwrap(json["history"] as? [String: [Any]]).mapValues { $0.map { $0 as? Double } }
        return (try XCTUnwrap(json["epochs"] as? [Int]), values)
    }

    /// report.json's numbers by plugin (its "stop" entry, the stop's reason, left out).
    func report() throws -> [String: [String: Double]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("run/report.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any]).compactMapValues { $0 as? [String: Double] }
    }

    /// min_delta = 10 makes every epoch after the first "no improvement": with patience 1,
    /// Keras stops at the end of epoch 1 and reports the best epoch, 0.
    func testEarlyStoppingStopsAndReports() throws {
        let result = try train(epochs: 5, "--plugin", "EarlyStopping", "--set", "monitor=loss", "--set", "min_delta=10",
                               "--set", "patience=1", "--set", "verbose=1")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try history().epochs, [0, 1])
        XCTAssertEqual(try report()["EarlyStopping"], ["best_epoch": 0, "stopped_epoch": 1])
        XCTAssertTrue(result.output.contains("Epoch 2: early stopping"), result.output)
    }

    /// Lightning's options: a stopping threshold every loss beats stops after the first epoch
    /// and says why; strict with a key the logs never have fails the run naming the key.
    func testEarlyStoppingLightningThresholdAndStrict() throws {
        let result = try train(epochs: 5, "--plugin", "EarlyStopping", "--set", "monitor=loss",
                               "--set", "stopping_threshold=1000", "--set", "patience=10")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try history().epochs, [0])
        XCTAssertEqual(try report()["EarlyStopping"]?["stopped_epoch"], 0)
        XCTAssertTrue(result.output.contains("< stopping_threshold 1000.0; stopping"), result.output)

        let strict = try train(epochs: 2, "--plugin", "EarlyStopping", "--set", "monitor=val_nothing",
                               "--set", "mode=min", "--set", "strict=true")
        XCTAssertEqual(strict.status, 1, strict.output)
        XCTAssertTrue(strict.stderr.contains("EarlyStopping"), strict.stderr)
        XCTAssertTrue(strict.stderr.contains("`val_nothing`"), strict.stderr)
    }

    /// LearningCurves draws the run's epochs into curves.svg in the run directory: one training
    /// and one validation curve each for loss and accuracy, a point per epoch.
    func testLearningCurvesWritesTheSVGIntoTheRunDirectory() throws {
        let result = try train(epochs: 3, "--plugin", "LearningCurves")
        XCTAssertEqual(result.status, 0, result.output)
        let path = directory.appendingPathComponent("run/curves.svg").path
        let svg = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        XCTAssertTrue(svg.hasPrefix("<?xml"), svg)
        XCTAssertTrue(svg.hasSuffix("</svg>\n"), "a whole file")
        // Each curve: its class and how many points it has (the axes are a polyline too).
        let curves = svg.components(separatedBy: "<polyline class=\"").dropFirst().map { element in
            let points = element.components(separatedBy: " points=\"")[1].prefix { $0 != "\"" }
            return "\(element.prefix { $0 != "\"" }) \(points.split(separator: " ").count)"
        }.filter { !$0.hasPrefix("axes") }
        XCTAssertEqual(curves, ["training 3", "validation 3", "training 3", "validation 3"], svg)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("run").path)
            .contains { $0.contains(".tmp") }, "no temporary file left")
    }

    func testReduceLROnPlateauHalvesTheRate() throws {
        let result = try train(epochs: 4, "--plugin", "ReduceLROnPlateau", "--set", "monitor=loss", "--set", "min_delta=10",
                               "--set", "patience=0", "--set", "factor=0.5")
        XCTAssertEqual(result.status, 0, result.output)
        let rates = try XCTUnwrap(try history().values["learning_rate"]).map { $0 ?? .nan }
        // The rate each epoch ran at: the first epoch improves on nothing, every later one is a
        // plateau (min_delta 10), and the rate is halved at its end.
        XCTAssertEqual(rates.map { Float($0) }, [0.001, 0.001, 0.0005, 0.00025])
    }

    func testLearningRateSchedulerSetsTheRateEachEpoch() throws {
        let result = try train(epochs: 3, "--plugin", "LearningRateScheduler", "--set", "schedule=0.01 * pow(0.5, epoch)")
        XCTAssertEqual(result.status, 0, result.output)
        let rates = try XCTUnwrap(try history().values["learning_rate"]).map { $0 ?? .nan }
        XCTAssertEqual(rates.map { Float($0) }, [0.01, 0.005, 0.0025])
        let refused = try train(epochs: 1, "--plugin", "LearningRateScheduler", "--set", "schedule=lr * (epoch +")
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("LearningRateScheduler"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("column"), "a bad expression is refused with its column: \(refused.stderr)")
    }

    func testStopWhenStopsOnItsCondition() throws {
        let result = try train(epochs: 5, "--plugin", "StopWhen", "--set", "condition=epoch >= 1 && loss > 0")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try history().epochs, [0, 1])
    }

    /// Byte features scaled to 1e38 overflow the first layer: the first batch's loss is NaN.
    func testTerminateOnNaNStopsAtTheFirstBadBatch() throws {
        let result = try train(epochs: 3, "--plugin", "TerminateOnNaN", config: """
            [data]
            rescale = 1e38
            """)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Batch 0: Invalid loss, terminating training"), result.output)
        let history = try history()
        XCTAssertEqual(history.epochs, [0])
        XCTAssertEqual(history.values["loss"]?.first ?? 0, nil, "the NaN loss is written as null")
    }

    /// A spent budget stops the run at its first check; the time is reported.
    func testTimerStopsWhenTheBudgetIsSpent() throws {
        let result = try train(epochs: 3, "--plugin", "Timer", "--set", "duration=00:00:00:00")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Time limit reached"), result.output)
        XCTAssertEqual(try history().epochs, [0])
        XCTAssertNotNil(try report()["Timer"]?["elapsed_seconds"])
    }

    func testCSVLoggerWritesTheHistoryAsKerasDoes() throws {
        let result = try train(epochs: 2, "--plugin", "CSVLogger", "--set", "filename=log.csv")
        XCTAssertEqual(result.status, 0, result.output)
        let text = try String(contentsOf: directory.appendingPathComponent("run/log.csv"), encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.first, "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss")
        XCTAssertEqual(lines.count, 3, text)
        let history = try history()
        let loss = try XCTUnwrap(lines.last?.split(separator: ",").dropFirst(3).first.flatMap { Double($0) })
        XCTAssertEqual(loss, history.values["loss"]?.last ?? nil)
    }

    /// save_best_only with `{epoch:02d}`: one file per improving epoch, each a whole
    /// safetensors file of the model's tensors; `save_last` adds last.safetensors.
    func testModelCheckpointSavesTheBestWeights() throws {
        let result = try train(epochs: 3, "--plugin", "ModelCheckpoint", "--set", "filepath=best.{epoch:02d}.safetensors",
                               "--set", "monitor=loss", "--set", "save_best_only=true", "--set", "save_last=true")
        XCTAssertEqual(result.status, 0, result.output)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("run").path).sorted()
        XCTAssertEqual(names.filter { $0.hasPrefix("best.") }, ["best.01.safetensors", "best.02.safetensors", "best.03.safetensors"],
                       "the training loss improves every epoch: \(names)")
        XCTAssertTrue(names.contains("last.safetensors"), "\(names)")
        XCTAssertFalse(names.contains { $0.contains(".tmp-") }, "no temporary file is left: \(names)")
        let last = try Data(contentsOf: directory.appendingPathComponent("run/best.03.safetensors"))
        XCTAssertEqual(last, try Data(contentsOf: directory.appendingPathComponent("run/weights.safetensors")),
                       "the last epoch's checkpoint holds the final weights")
        XCTAssertEqual(try report()["ModelCheckpoint"]?["best_epoch"], 2)
        // A checkpoint is a model's weights file: evaluate reads it.
        let config = try write("[data]\nlimit = 64\n", to: "small.toml")
        let evaluate = try trainer("evaluate", config.path, "--weights", "run/best.01.safetensors", "--run-dir", "eval")
        XCTAssertEqual(evaluate.status, 0, evaluate.output)
    }
}
