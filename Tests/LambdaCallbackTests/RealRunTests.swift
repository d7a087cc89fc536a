import Foundation
import PluginTestSupport
import XCTest

/// LambdaCallback in real `trainer train` runs: the built binary loads the plugin, which calls
/// the fixture library (found relative to the working directory).
final class RealRunTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
        _ = try buildFixtureLibrary(into: dir)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs `trainer train` in the test directory on a small slice of Fashion-MNIST.
    private func train(_ arguments: [String], stopFrom: Int? = nil) throws -> ChildProcess.Result {
        try TrainerExecutable.requireTrainingSetup()
        var environment = ["LAMBDA_FIXTURE_OUTPUT": dir + "/calls.txt"]
        if let stopFrom { environment["LAMBDA_FIXTURE_STOP_FROM"] = String(stopFrom) }
        return try TrainerExecutable.run(["train", "--limit", "200", "--verbose", "0", "--run-dir", dir + "/run",
                                          "--plugin", "LambdaCallback"] + arguments,
                                         in: dir, environment: environment)
    }

    private func history() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/run/history.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testTheLibraryGetsEveryEpochAndBatch() throws {
        let result = try train(["--epochs", "2",
                                "--set", "on_epoch_end=./libmine.so:report(i32 epoch, f64 val_loss) -> i32",
                                "--set", "on_train_batch_end=./libmine.so:count(i64 batch) -> i64"])
        XCTAssertEqual(result.status, 0, result.errors)
        let calls = lines(of: dir + "/calls.txt")
        let batches = (0..<7).map { "count \($0)" } // 200 samples in batches of 32
        XCTAssertEqual(calls.filter { $0.hasPrefix("count") }, batches + batches)
        let reports = calls.filter { $0.hasPrefix("report") }
        XCTAssertEqual(reports.count, 2)
        // The val_loss passed is the one History recorded.
        let valLoss = try XCTUnwrap((try history()["history"] as? [String: Any])?["val_loss"] as? [Double])
        for (epoch, line) in reports.enumerated() {
            let parts = line.split(separator: " ")
            XCTAssertEqual(parts[1], "\(epoch)"[...])
            // Logs hold float32 values; Foundation's JSON parser can miss a 17-digit number by
            // a few units in the last place of the double, never of the float.
            XCTAssertEqual(Double(parts[2]).map(Float.init), Float(valLoss[epoch]), line)
        }
    }

    func testANonZeroReturnStopsTraining() throws {
        let result = try train(["--epochs", "5", "--set", "on_epoch_end=./libmine.so:report(i32 epoch, f64 loss) -> i32"],
                               stopFrom: 1)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(lines(of: dir + "/calls.txt").count, 2, "epochs 0 and 1, then training stopped")
        XCTAssertEqual(try history()["epochs"] as? [Int], [0, 1])
        XCTAssertTrue(result.errors.contains("report returned 1 in on_epoch_end: stopping training")
                      || result.output.contains("report returned 1 in on_epoch_end: stopping training"),
                      result.output + result.errors)
    }

    func testAMissingSymbolEndsTheRunWithStatus2BeforeTraining() throws {
        let result = try train(["--epochs", "1", "--set", "on_epoch_end=./libmine.so:nope(i32 epoch) -> i32"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.errors.contains("plugin LambdaCallback could not start: on_epoch_end: no symbol nope in "),
                      result.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/calls.txt"))
    }

    func testABadSignatureEndsTheRunWithStatus2() throws {
        let result = try train(["--epochs", "1", "--set", "on_epoch_end=./libmine.so:report(i32 epoch, double loss)"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.errors.contains("on_epoch_end: column 32: unknown type 'double' (expected i32, i64, f32 or f64)"),
                      result.errors)
    }
}
