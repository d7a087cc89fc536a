import Foundation
import PluginTestSupport
import TensorBoardProto
import XCTest

/// A real `trainer train` run with the plugin (the binary and libTensorBoard.so from the same
/// build products directory, Fashion-MNIST from scripts/install-deps): the event files agree
/// with the run's history.json, and, when Python's tensorboard package is installed, with what
/// TensorBoard reads.
final class TensorBoardTrainRunTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        try TrainerExecutable.requireTrainingSetup()
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// TensorBoard isolated (`--isolate`) reads the weights through views whose data the training
    /// process puts in shared memory: its histograms are the in-process run's, value for value.
    func testIsolatedTensorBoardSeesTheSameWeights() throws {
        var histograms: [[String: [(step: Int64, histogram: Tensorflow_HistogramProto)]]] = []
        for (name, extra) in [("in-process", [String]()), ("isolated", ["--isolate"])] {
            let runDirectory = dir + "/" + name
            let result = try TrainerExecutable.run(["train", "--epochs", "2", "--limit", "256", "--verbose", "0",
                                                    "--run-dir", runDirectory, "--plugin", "TensorBoard",
                                                    "--set", "histogram_freq=1"] + extra,
                                                   in: dir, errors: .mergedIntoOutput)
            XCTAssertEqual(result.status, 0, result.output)
            histograms.append(try RunContents(directory: runDirectory + "/logs/train").histograms)
        }
        XCTAssertEqual(Set(histograms[1].keys), ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"])
        XCTAssertEqual(Set(histograms[1].keys), Set(histograms[0].keys))
        for (tag, expected) in histograms[0] {
            let got = try XCTUnwrap(histograms[1][tag], tag)
            XCTAssertEqual(got.map(\.step), expected.map(\.step), tag)
            XCTAssertEqual(got.map(\.histogram), expected.map(\.histogram), tag)
            XCTAssertNotEqual(got.first?.histogram, got.last?.histogram, "\(tag) changed between epochs")
        }
    }

    func testTrainRunWritesWhatHistoryRecords() throws {
        let runDirectory = dir + "/run"
        let result = try TrainerExecutable.run(["train", "--epochs", "2", "--limit", "256",
                                                "--verbose", "0", "--run-dir", runDirectory, "--plugin", "TensorBoard",
                                                "--set", "histogram_freq=1", "--set", "update_freq=batch"],
                                               in: dir, errors: .mergedIntoOutput)
        XCTAssertEqual(result.status, 0, result.output)

        let historyData = try Data(contentsOf: URL(fileURLWithPath: runDirectory + "/history.json"))
        let history = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: historyData) as? [String: Any])?["history"] as? [String: [Double]])
        let train = try RunContents(directory: runDirectory + "/logs/train")
        let validation = try RunContents(directory: runDirectory + "/logs/validation")
        XCTAssertEqual(train.fileVersions, ["brain.Event:2"])
        XCTAssertEqual(validation.fileVersions, ["brain.Event:2"])

        for (run, prefix) in [(train, ""), (validation, "val_")] {
            for name in ["loss", "accuracy"] {
                let expected = try XCTUnwrap(history[prefix + name], prefix + name)
                XCTAssertEqual(run.steps("epoch_" + name), [0, 1], prefix + name)
                XCTAssertEqual(run.values("epoch_" + name), expected.map(Float.init), prefix + name)
            }
        }
        XCTAssertEqual(train.values("epoch_learning_rate"), try XCTUnwrap(history["learning_rate"]).map(Float.init))
        // 256 samples in batches of 32: 8 batches an epoch, steps 1...16; the last batch's
        // running mean is the epoch's loss.
        XCTAssertEqual(train.steps("batch_loss"), Array(1...16))
        XCTAssertEqual(train.values("batch_loss")[7], Float(history["loss"]![0]))
        XCTAssertEqual(validation.steps("evaluation_loss_vs_iterations"), [8, 16])

        // The default model: Flatten, Dense(128), Dense(10).
        let shapes = ["dense/kernel": 784 * 128, "dense/bias": 128, "dense_1/kernel": 128 * 10, "dense_1/bias": 10]
        XCTAssertEqual(Set(train.histograms.keys), Set(shapes.keys))
        for (tag, count) in shapes {
            XCTAssertEqual(train.histograms[tag]?.map(\.step), [0, 1], tag)
            XCTAssertEqual(train.histograms[tag]?.first?.histogram.num, Double(count), tag)
            XCTAssertEqual(train.histograms[tag]?.first?.histogram.bucket.reduce(0, +), Double(count), tag)
        }
        let summary = try XCTUnwrap(train.texts["model_summary"]?.first?.text)
        XCTAssertTrue(summary.contains("| dense/kernel | 784 × 128 | 100,352 |"), summary)
        XCTAssertTrue(summary.contains("Total parameters: 101,770"), summary)

        guard try RealTensorBoardTests.tensorBoardProbe.get().status == 0 else {
            throw XCTSkip("python3 cannot import tensorboard, so the real TensorBoard did not read the files (scripts/install-deps --test)")
        }
        let events = try ChildProcess.run([Repository.root + "/scripts/tensorboard-events", runDirectory + "/logs"],
                                          in: dir, environment: ["HOME": dir], errors: .discarded)
        XCTAssertEqual(events.status, 0, events.output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(events.output.utf8)) as? [String: Any],
                                 events.output)
        let scalars = try XCTUnwrap((json["validation"] as? [String: Any])?["scalars"] as? [String: [[Double]]])
        let readLoss = try XCTUnwrap(scalars["epoch_loss"]).map { Float($0[1]) }
        XCTAssertEqual(readLoss, try XCTUnwrap(history["val_loss"]).map(Float.init))
    }
}
