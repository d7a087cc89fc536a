import Foundation
import PluginTestSupport
import XCTest

/// What a run leaves and how it exits: status 1 when training fails (with what was written
/// kept), report.json, and a run directory of its own for every run.
final class RunOutcomeTests: EndToEndTestCase {
    /// A plugin whose hook fails: exit status 1, a message naming the plugin and the hook, and
    /// the files written before the failure intact.
    func testAFailingHookIsExitStatus1AndKeepsWhatWasWritten() throws {
        try requireFashionMNIST()
        let fixtures = directory.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/recorder.c", into: fixtures.path, name: "Recorder")
        let config = try write("[plugins]\nenabled = [\"History\", \"Recorder\"]\n", to: "run.toml")
        let result = try trainer("train", config.path, "--epochs", "3", "--limit", "256", "--run-dir", "run", "--verbose", "0",
                                 "--plugins-dir", fixtures.path, "--plugin", "Recorder", "--set", "fail_at=on_epoch_end")
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("plugin Recorder failed in on_epoch_end"), result.stderr)
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("run/history.json"))) as? [String: Any])
        XCTAssertEqual(history["epochs"] as? [Int], [0], "History, listed before, wrote the epoch that ended")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/weights.safetensors").path),
                       "no final weights for a failed run")
    }

    /// Runs started in the same second each get a directory of their own: the stamp's
    /// directory is taken, so the next run gets `-2`, and two runs started together differ.
    func testRunsStartedInTheSameSecondGetTheirOwnDirectories() throws {
        try requireFashionMNIST()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss"
        let now = Date()
        // Take the stamps of the next few seconds, as runs started then would.
        let taken = (0..<30).map { "runs/" + formatter.string(from: now.addingTimeInterval(Double($0))) }
        for name in taken {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let children = try (0..<2).map { _ in
            try TrainerExecutable.start(["train", "--epochs", "1", "--limit", "64", "--verbose", "0"], in: directory.path)
        }
        for child in children {
            let result = try child.wait()
            XCTAssertEqual(result.status, 0, result.output + result.errors)
        }
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("runs").path)
            .map { "runs/" + $0 }
        let new = Set(runs).subtracting(taken)
        XCTAssertEqual(new.count, 2, "two runs, two new directories: \(new.sorted())")
        for name in new {
            XCTAssertTrue(name.hasSuffix("-2") || name.hasSuffix("-3"), "a taken stamp gets a number: \(name)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name + "/weights.safetensors").path))
        }
        for name in taken {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(name).path), [],
                           "\(name) was not written into")
        }
    }
}
