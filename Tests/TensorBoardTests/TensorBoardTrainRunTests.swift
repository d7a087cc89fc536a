import Foundation
import TensorBoardProto
import XCTest

/// A real `trainer train` run with the plugin (the binary and libTensorBoard.so from the same
/// build products directory, Fashion-MNIST from scripts/install-deps): the event files agree
/// with the run's history.json, and, when Python's tensorboard package is installed, with what
/// TensorBoard reads.
final class TensorBoardTrainRunTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        let trainer = Paths.products + "/trainer"
        guard FileManager.default.isExecutableFile(atPath: trainer) else {
            throw XCTSkip("\(trainer) is not built; run `swift build` first")
        }
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed (scripts/install-deps)")
        }
        dir = try Paths.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Runs a command in the test's directory; stderr joins stdout unless `errors` is false.
    private func run(_ arguments: [String], errors: Bool = true) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = dir   // no user plugin directory
        environment["TRAINER_PLUGIN_PATH"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors ? output : FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testTrainRunWritesWhatHistoryRecords() throws {
        let runDirectory = dir + "/run"
        let result = try run([Paths.products + "/trainer", "train", "--epochs", "2", "--limit", "256",
                              "--verbose", "0", "--run-dir", runDirectory,
                              "--plugin", "TensorBoard", "--set", "histogram_freq=1", "--set", "update_freq=batch"])
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

        guard RealTensorBoardTests.tensorBoardAvailable else { return }
        let events = try run([Paths.repository + "/scripts/tensorboard-events", runDirectory + "/logs"], errors: false)
        XCTAssertEqual(events.status, 0, events.output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(events.output.utf8)) as? [String: Any],
                                 events.output)
        let scalars = try XCTUnwrap((json["validation"] as? [String: Any])?["scalars"] as? [String: [[Double]]])
        let readLoss = try XCTUnwrap(scalars["epoch_loss"]).map { Float($0[1]) }
        XCTAssertEqual(readLoss, try XCTUnwrap(history["val_loss"]).map(Float.init))
    }
}
