import Foundation
import PluginTestSupport
import XCTest

/// BackupAndRestore: a run killed with SIGKILL and started again with the same command
/// resumes from the last backup and ends with the same weights as a run never interrupted.
final class BackupAndRestoreTests: EndToEndTestCase {
    let config = """
        epochs = 4
        [[model.layers]]
        type = "Flatten"
        [[model.layers]]
        type = "Dense"
        units = 32
        activation = "relu"
        [[model.layers]]
        type = "Dropout"
        rate = 0.3
        [[model.layers]]
        type = "Dense"
        units = 10
        activation = "softmax"
        [data]
        limit = 3000
        [plugins]
        enabled = ["History", "BackupAndRestore"]
        [plugins.BackupAndRestore]
        backup_dir = "backup"
        save_freq = "10"
        """

    func testAKilledRunResumesAndEndsWithTheSameWeights() throws {
        try requireFashionMNIST()
        _ = try write(config, to: "run.toml")
        let whole = try trainer("train", "run.toml", "--run-dir", "whole", "--verbose", "0")
        XCTAssertEqual(whole.status, 0, whole.output)
        let backup = directory.appendingPathComponent("backup")
        XCTAssertFalse(FileManager.default.fileExists(atPath: backup.path), "delete_checkpoint removes the backup at the end")

        // Start the same run and kill it once it has backed up past the first epoch.
        let process = try TrainerExecutable.start(["train", "run.toml", "--run-dir", "interrupted", "--verbose", "0"],
                                                  in: directory.path)
        var killedMidRun = false
        while process.isRunning {
            let history = directory.appendingPathComponent("interrupted/history.json")
            if let data = try? Data(contentsOf: history), let text = String(data: data, encoding: .utf8), text.contains("\"epochs\": [0,") {
                process.kill(SIGKILL)
                killedMidRun = true
                break
            }
            usleep(2_000)
        }
        let interrupted = try process.wait()
        try XCTSkipUnless(killedMidRun, "the run finished before it could be interrupted")
        XCTAssertEqual(interrupted.reason, .uncaughtSignal, interrupted.output + interrupted.errors)
        let backups = try FileManager.default.contentsOfDirectory(atPath: backup.path).filter { $0.hasPrefix("checkpoint-") }
        XCTAssertFalse(backups.isEmpty)

        let resumed = try trainer("train", "run.toml", "--run-dir", "interrupted", "--verbose", "1")
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.stdout.contains("Resuming from "), resumed.stdout)
        let a = try Data(contentsOf: directory.appendingPathComponent("whole/weights.safetensors"))
        let b = try Data(contentsOf: directory.appendingPathComponent("interrupted/weights.safetensors"))
        XCTAssertEqual(a, b, "the resumed run ends with the same weights")
        let history = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("interrupted/history.json"))) as? [String: Any]
        XCTAssertEqual(history?["epochs"] as? [Int], [0, 1, 2, 3], "History's state came back with the backup")
    }

    func testABackupOfAnotherModelIsRefused() throws {
        try requireFashionMNIST()
        _ = try write(config, to: "run.toml")
        let backupDirectory = directory.appendingPathComponent("backup")
        // Leave a backup behind by keeping it at the end.
        let first = try trainer("train", "run.toml", "--epochs", "1", "--run-dir", "one", "--verbose", "0",
                                "--plugin", "BackupAndRestore", "--set", "delete_checkpoint=false")
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: backupDirectory.path))
        _ = try write(config.replacingOccurrences(of: "units = 32", with: "units = 16"), to: "other.toml")
        let other = try trainer("train", "other.toml", "--run-dir", "two", "--verbose", "0")
        XCTAssertEqual(other.status, 2, other.output)
        XCTAssertTrue(other.stderr.contains("was written for another model"), other.stderr)
    }
}
