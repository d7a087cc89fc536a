import Foundation
import XCTest

final class TrainCommandTests: EndToEndTestCase {
    func history(_ runDirectory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: runDirectory.appendingPathComponent("history.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testOneShortEpochOnASliceOfFashionMNIST() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("run")
        let result = try trainer("train", "--epochs", "1", "--limit", "512", "--run-dir", run.path)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.stdout.contains("Epoch 1/1"), "Keras names the epoch only when there are several")
        // The epoch's line names every log, Keras-style.
        let line = result.stdout.split(separator: "\n").first { $0.contains("val_accuracy:") }
        XCTAssertNotNil(line, result.stdout)
        for name in ["loss: ", "accuracy: ", "val_loss: ", "val_accuracy: "] {
            XCTAssertTrue(line?.contains(name) ?? false, "\(name) missing in \(line ?? "")")
        }
        let history = try history(run)
        let values = try XCTUnwrap(history["history"] as? [String: [Double]])
        XCTAssertEqual(values["loss"]?.count, 1)
        XCTAssertEqual(values["val_accuracy"]?.count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("weights.safetensors").path))
    }

    /// The default MLP's work is cut the same way whatever the thread count (Dense pieces,
    /// optimizer parts), so one thread and two give the same weights bit for bit.
    func testTheMLPGivesTheSameBitsOnOneThreadAndTwo() throws {
        try requireFashionMNIST()
        var weights: [Data] = []
        for threads in ["1", "2"] {
            let run = directory.appendingPathComponent("run-\(threads)")
            let result = try trainer("train", "--epochs", "1", "--limit", "512", "--verbose", "0", "--run-dir", run.path,
                                     environment: ["TRAINER_THREADS": threads])
            XCTAssertEqual(result.status, 0, result.output)
            weights.append(try Data(contentsOf: run.appendingPathComponent("weights.safetensors")))
        }
        XCTAssertEqual(weights[0], weights[1])
    }

    func testEachRunWritesIntoItsOwnDirectory() throws {
        try requireFashionMNIST()
        let result = try trainer("train", "--epochs", "1", "--limit", "64", "--verbose", "2")
        XCTAssertEqual(result.status, 0, result.output)
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("runs").path)
        XCTAssertEqual(runs.count, 1)
        XCTAssertNoThrow(try history(directory.appendingPathComponent("runs").appendingPathComponent(runs[0])))
    }

    func testAPluginEnabledOnTheCommandLineStopsTraining() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("run")
        let result = try trainer("train", "--epochs", "3", "--limit", "256", "--run-dir", run.path,
                                 "--plugin", "StopAtAccuracy", "--set", "threshold=0.0")
        XCTAssertEqual(result.status, 0, result.output)
        let values = try XCTUnwrap(try history(run)["history"] as? [String: [Double]])
        XCTAssertEqual(values["loss"]?.count, 1, "stopped after the first epoch:\n\(result.output)")
    }

    func testTrainerTomlInTheWorkingDirectoryIsUsed() throws {
        try requireFashionMNIST()
        _ = try write("""
            epochs = 2
            batch_size = 64

            [[model.layers]]
            type = "Flatten"

            [[model.layers]]
            type = "Dense"
            units = 10
            activation = "softmax"

            [data]
            limit = 256

            [plugins]
            enabled = ["History"]
            """, to: "trainer.toml")
        let result = try trainer("train", "--run-dir", "out")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.stdout.contains("Epoch 1/2"), "ProgbarLogger is not enabled:\n\(result.stdout)")
        let values = try XCTUnwrap(try history(directory.appendingPathComponent("out"))["history"] as? [String: [Double]])
        XCTAssertEqual(values["loss"]?.count, 2)
    }

    func testABadConfigurationIsExitStatus2NamingTheFileAndKey() throws {
        let config = try write("epochs = 3\n[model]\nloss = \"hinge\"\n", to: "bad.toml")
        let result = try trainer("train", config.path)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("bad.toml: model.loss: unknown loss \"hinge\""), result.stderr)

        let typo = try write("epocs = 3\n", to: "typo.toml")
        let typoResult = try trainer("train", typo.path)
        XCTAssertEqual(typoResult.status, 2)
        XCTAssertTrue(typoResult.stderr.contains("typo.toml: epocs: unknown key"), typoResult.stderr)

        let badPlugin = try trainer("train", "--plugin", "StopAtAccuracy", "--set", "mode=sideways")
        XCTAssertEqual(badPlugin.status, 2)
        XCTAssertTrue(badPlugin.stderr.contains("plugin StopAtAccuracy, parameter mode"), badPlugin.stderr)

        let usage = try trainer("train", "--epochs", "zero")
        XCTAssertEqual(usage.status, 2, usage.output)
    }

    func testAMissingDataFileIsNamed() throws {
        let config = try write("""
            [data]
            train_features = "missing-images.gz"
            train_labels = "missing-labels.gz"
            """, to: "missing.toml")
        let result = try trainer("train", config.path)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("missing-images.gz"), result.stderr)
    }
}
