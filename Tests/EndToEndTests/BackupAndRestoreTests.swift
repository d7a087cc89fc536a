import Foundation
import PluginTestSupport
import XCTest

/// BackupAndRestore's checks on what it resumes from (ResumeTests kill and resume runs).
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
