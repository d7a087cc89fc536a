import Foundation
import PluginTestSupport
import XCTest

/// A run killed at any moment and started again with the same command resumes from
/// BackupAndRestore's last backup and ends as a run never interrupted: the same weights, the
/// same History, CSV and report, the same checkpoints, because every stateful plugin
/// (EarlyStopping's patience, ReduceLROnPlateau's plateau, ModelCheckpoint's best, Timer's time)
/// comes back with its state. The kills are deterministic: the `Kill` fixture plugin dies at a
/// chosen hook when KILL_PLUGIN_ARMED is set (it is in the plugin list of all three runs, so
/// the command is the same), and the `kill_on_write` preload library dies in the middle of
/// writing a file.
final class ResumeTests: EndToEndTestCase {
    /// EarlyStopping stops this run before its 8 epochs end (val_loss stops improving by 0.02), and
    /// ReduceLROnPlateau halves the rate twice on the way: decisions a lost state would change.
    static let plugins = """
        [plugins.EarlyStopping]
        monitor = "val_loss"
        patience = 1
        min_delta = 0.02
        [plugins.ReduceLROnPlateau]
        factor = 0.5
        patience = 0
        min_delta = 0.05
        [plugins.ModelCheckpoint]
        filepath = "model.{epoch:02d}.safetensors"
        save_best_only = true
        [plugins.CSVLogger]
        filename = "training.csv"
        [plugins.BackupAndRestore]
        backup_dir = "backup"
        save_freq = "10"
        """

    /// The configuration; the plugins of `isolated` run in plugin hosts (`isolate = true`).
    static func config(plugins order: [String], saveFrequency: String = "10", isolated: [String] = []) -> String {
        var tables = plugins.replacingOccurrences(of: "save_freq = \"10\"", with: "save_freq = \"\(saveFrequency)\"")
        for id in isolated {
            let header = "[plugins.\(id)]\n"
            tables = tables.contains(header) ? tables.replacingOccurrences(of: header, with: header + "isolate = true\n")
                                             : tables + "\n" + header + "isolate = true"
        }
        return """
        epochs = 8
        [data]
        limit = 1000
        [plugins]
        enabled = [\(order.map { "\"\($0)\"" }.joined(separator: ", "))]
        \(tables)
        """
    }

    static let armed = ["KILL_PLUGIN_ARMED": "1"]

    static let stateful = ["History", "EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger"]

    var fixtures: URL { directory.appendingPathComponent("fixtures") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireFashionMNIST()
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/kill.c", into: fixtures.path, name: "Kill")
    }

    /// Runs the configuration uninterrupted into `whole`, then interrupted by `kill` into
    /// `interrupted` and resumed with the same command, and compares what both runs wrote.
    /// `afterKill` looks at the interrupted run's directory before it is resumed.
    func assertResumedRunEqualsUninterrupted(order: [String], saveFrequency: String = "10", isolated: [String] = [],
                                             kill: (settings: [String], environment: [String: String]),
                                             killedStatus: Int32 = SIGKILL,
                                             afterKill: (URL) throws -> Void = { _ in },
                                             file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try write(Self.config(plugins: order, saveFrequency: saveFrequency, isolated: isolated), to: "run.toml")
        let command = ["train", "run.toml", "--verbose", "0", "--plugins-dir", fixtures.path, "--plugin", "Kill"] + kill.settings
        let whole = try TrainerBinary.run(command + ["--run-dir", "whole"], in: directory)
        XCTAssertEqual(whole.status, 0, whole.output, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("backup").path),
                       "BackupAndRestore removes its backup at the end", file: file, line: line)

        let killed = try TrainerBinary.run(command + ["--run-dir", "interrupted"], in: directory, environment: kill.environment)
        XCTAssertEqual(killed.status, killedStatus, "the run was killed\n\(killed.output)", file: file, line: line)
        try afterKill(directory.appendingPathComponent("interrupted"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("backup").path)
        XCTAssertTrue(backups.contains { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".partial") },
                      "a complete backup is left: \(backups)", file: file, line: line)

        let resumed = try TrainerBinary.run(command + ["--run-dir", "interrupted"], in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output, file: file, line: line)
        XCTAssertTrue(resumed.output.contains("resuming from the backup"), resumed.output, file: file, line: line)

        for name in ["history.json", "report.json", "training.csv"] {
            let a = try String(contentsOf: directory.appendingPathComponent("whole/\(name)"), encoding: .utf8)
            let b = try String(contentsOf: directory.appendingPathComponent("interrupted/\(name)"), encoding: .utf8)
            XCTAssertEqual(b, a, "\(name) of the resumed run", file: file, line: line)
        }
        let weights = try Data(contentsOf: directory.appendingPathComponent("whole/weights.safetensors"))
        XCTAssertTrue(weights == (try Data(contentsOf: directory.appendingPathComponent("interrupted/weights.safetensors"))),
                      "the resumed run ends with the same weights", file: file, line: line)
        let checkpoints = { (run: String) in
            try FileManager.default.contentsOfDirectory(atPath: self.directory.appendingPathComponent(run).path)
                .filter { $0.hasPrefix("model.") && $0.hasSuffix(".safetensors") }.sorted()
        }
        let saved = try checkpoints("whole")
        XCTAssertEqual(try checkpoints("interrupted"), saved, "ModelCheckpoint's best came back", file: file, line: line)
        for name in saved {
            let a = try Data(contentsOf: directory.appendingPathComponent("whole/\(name)"))
            let b = try Data(contentsOf: directory.appendingPathComponent("interrupted/\(name)"))
            XCTAssertEqual(a, b, "\(name)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("backup").path),
                       "the resumed run removes the backup at the end", file: file, line: line)
    }

    /// The uninterrupted run's decisions, so that a test cannot pass on a run that decided nothing.
    func testTheRunUnderTestStopsEarlyAndReducesTheRate() throws {
        _ = try write(Self.config(plugins: Self.stateful + ["BackupAndRestore"]), to: "run.toml")
        let whole = try trainer("train", "run.toml", "--run-dir", "whole", "--verbose", "0")
        XCTAssertEqual(whole.status, 0, whole.output)
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("whole/history.json"))) as? [String: Any])
        let epochs = try XCTUnwrap(history["epochs"] as? [Int])
        XCTAssertLessThan(epochs.count, 8, "EarlyStopping stopped the run: \(epochs)")
        XCTAssertGreaterThan(epochs.count, 2, "and not at once: \(epochs)")
        let rates = try XCTUnwrap((history["history"] as? [String: Any])?["learning_rate"] as? [Double])
        XCTAssertLessThan(rates.last ?? 1, rates.first ?? 0, "ReduceLROnPlateau reduced the rate: \(rates)")
    }

    func testKilledAtAnEpochsEnd() throws {
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"],
            kill: (["--set", "hook=on_epoch_end", "--set", "epoch=1"], Self.armed))
    }

    func testKilledInTheMiddleOfAnEpoch() throws {
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"],
            kill: (["--set", "hook=on_train_batch_end", "--set", "epoch=2", "--set", "batch=15"], Self.armed))
    }

    /// Every plugin of the run isolated (the Kill fixture stays in process, to kill the
    /// training process): BackupAndRestore's checkpoint, asked for from a plugin host, holds
    /// the saved state of every plugin host, and the resumed run equals the uninterrupted one.
    func testIsolatedPluginsResumeAsInProcess() throws {
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"], isolated: Self.stateful + ["BackupAndRestore"],
            kill: (["--set", "hook=on_train_batch_end", "--set", "epoch=2", "--set", "batch=15"], Self.armed))
    }

    /// A backup taken at an epoch's end by BackupAndRestore listed first holds the state of
    /// the plugins listed after it after that same epoch's end: the checkpoint is written once
    /// every plugin has run the hook.
    func testBackupAndRestoreListedFirstBacksUpEveryPluginAfterTheSameHook() throws {
        try assertResumedRunEqualsUninterrupted(
            order: ["BackupAndRestore"] + Self.stateful, saveFrequency: "epoch",
            kill: (["--set", "hook=on_train_batch_end", "--set", "epoch=3", "--set", "batch=5"], Self.armed))
    }

    /// Ctrl-C: the batch finishes, the run backs up where BackupAndRestore keeps its backups
    /// (here only every epoch, so this backup is the interruption's own), says how to resume,
    /// and exits 130; the same command resumes from the next batch.
    func testInterruptedByCtrlCBacksUpAndResumesFromTheNextBatch() throws {
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"], saveFrequency: "epoch",
            kill: (["--set", "hook=on_train_batch_end", "--set", "epoch=2", "--set", "batch=7", "--set", "signal=INT"], Self.armed),
            killedStatus: 130,
            afterKill: { _ in
                let backup = self.directory.appendingPathComponent("backup")
                let newest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: backup.path)
                    .filter { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".partial") }.max())
                let position = try XCTUnwrap(JSONSerialization.jsonObject(
                    with: Data(contentsOf: backup.appendingPathComponent("\(newest)/position.json"))) as? [String: Any])
                XCTAssertEqual(position["epoch"] as? Int, 2)
                XCTAssertEqual(position["batch"] as? Int, 7, "backed up after the batch it was interrupted in")
            })
    }

    /// SIGTERM (a scheduler's preemption) does the same, with status 143.
    func testTerminatedBySIGTERMBacksUpAndResumes() throws {
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"],
            kill: (["--set", "hook=on_train_batch_end", "--set", "epoch=1", "--set", "batch=20", "--set", "signal=TERM"], Self.armed),
            killedStatus: 143)
    }

    /// The fourth backup is torn half-way through its weights: the third is used.
    func testKilledWhileWritingABackup() throws {
        let preload = try killOnWriteLibrary()
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"],
            kill: ([], ["LD_PRELOAD": preload, "KILL_ON_WRITE": "checkpoint-000004.partial/weights"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("backup").path))
    }

    /// ModelCheckpoint's second file is torn half-way: no file under a checkpoint's name is
    /// ever incomplete, and the resumed run writes it whole.
    func testKilledWhileModelCheckpointWritesAFile() throws {
        let preload = try killOnWriteLibrary()
        try assertResumedRunEqualsUninterrupted(
            order: Self.stateful + ["BackupAndRestore"],
            kill: ([], ["LD_PRELOAD": preload, "KILL_ON_WRITE": "interrupted/model.02"]),
            afterKill: { run in
                let names = try FileManager.default.contentsOfDirectory(atPath: run.path)
                XCTAssertTrue(names.contains("model.01.safetensors"), "\(names)")
                XCTAssertFalse(names.contains("model.02.safetensors"), "a torn file never has the final name: \(names)")
                XCTAssertTrue(names.contains { $0.hasPrefix("model.02.safetensors.tmp-") }, "the kill hit the write: \(names)")
            })
    }

    /// Timer keeps the training time it had spent: a backup whose Timer had spent all but a
    /// microsecond of a one-hour budget resumes into a run that stops at its first check.
    func testTimerCarriesItsSpentTimeAcrossAResume() throws {
        _ = try write(Self.config(plugins: ["History", "Timer", "BackupAndRestore"])
                      + "\n[plugins.Timer]\nduration = \"00:01:00:00\"\n", to: "run.toml")
        let command = ["train", "run.toml", "--run-dir", "run", "--verbose", "0", "--plugins-dir", fixtures.path,
                       "--plugin", "Kill", "--set", "hook=on_train_batch_end", "--set", "epoch=1", "--set", "batch=0"]
        let killed = try TrainerBinary.run(command, in: directory, environment: Self.armed)
        XCTAssertEqual(killed.status, SIGKILL, killed.output)
        let backup = directory.appendingPathComponent("backup")
        let checkpoint = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: backup.path)
            .filter { $0.hasPrefix("checkpoint-") && !$0.hasSuffix(".partial") }.max())
        let state = backup.appendingPathComponent("\(checkpoint)/plugin-1-Timer.bin")
        var bytes = [UInt8](try Data(contentsOf: state))
        XCTAssertEqual(bytes.count, 16, "version, elapsed seconds")
        let saved = bytes[8..<16].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        XCTAssertGreaterThan(Double(bitPattern: saved), 0, "the elapsed time was saved")
        let nearTheBudget = (3600.0 - 1e-6).bitPattern
        for index in 0..<8 { bytes[8 + index] = UInt8(truncatingIfNeeded: nearTheBudget >> (8 * UInt64(index))) }
        try Data(bytes).write(to: state)

        let resumed = try TrainerBinary.run(command, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("Time limit reached"), resumed.output)
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("run/history.json"))) as? [String: Any])
        // The last backup was taken after batch 29 of epoch 0 (every 10 batches, 32 a epoch):
        // the resumed run stops at its first step there, and epoch 0 is the last.
        XCTAssertTrue(resumed.output.contains("resuming from the backup"), resumed.output)
        XCTAssertEqual(history["epochs"] as? [Int], [0], "the resumed epoch stops at its first check")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("run/report.json"))) as? [String: Any])
            .compactMapValues { $0 as? [String: Double] }
        XCTAssertGreaterThanOrEqual(report["Timer"]?["elapsed_seconds"] ?? 0, 3600)
    }

    func killOnWriteLibrary() throws -> String {
        let library = fixtures.appendingPathComponent("libkill_on_write.so").path
        try CCompiler.compile(["-shared", "-fPIC", Repository.fixtures + "/kill_on_write.c", "-o", library, "-ldl"])
        return library
    }
}
