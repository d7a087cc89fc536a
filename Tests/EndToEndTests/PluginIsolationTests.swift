import Foundation
import PluginTestSupport
import XCTest

/// An isolated plugin (`isolate = true`, `--isolate`) runs in a `trainer plugin-host` child: when
/// it crashes, aborts, exits or hangs, the run names the plugin, the hook and what happened,
/// lists it in report.json and, by default, goes on without it (exit status 0, every file
/// written); with `on_plugin_failure = "fail"` the run ends with exit status 1. Isolated
/// bundled plugins decide exactly as in process.
final class PluginIsolationTests: EndToEndTestCase {
    var fixtures: URL { directory.appendingPathComponent("fixtures") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireFashionMNIST()
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/misbehave.c", into: fixtures.path, name: "Misbehave")
    }

    /// Three epochs with History, then Misbehave isolated with `settings`.
    func misbehave(_ settings: [String], extra: [String] = []) throws -> TrainerBinary.Result {
        try TrainerBinary.run(["train", "--epochs", "3", "--limit", "256", "--run-dir", "run", "--verbose", "0",
                               "--plugins-dir", fixtures.path, "--plugin", "Misbehave", "--isolate"]
                              + settings.flatMap { ["--set", $0] } + extra, in: directory)
    }

    /// A configuration file with History and an isolated Misbehave, and `extra` lines in its table.
    func misbehaveConfig(_ extra: String, arguments: [String] = []) throws -> TrainerBinary.Result {
        _ = try write("""
            epochs = 3
            [data]
            limit = 256
            [plugins]
            enabled = ["History", "Misbehave"]
            [plugins.Misbehave]
            isolate = true
            \(extra)
            """, to: "run.toml")
        return try TrainerBinary.run(["train", "run.toml", "--run-dir", "run", "--verbose", "0", "--plugins-dir", fixtures.path]
                                     + arguments, in: directory)
    }

    func report() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("run/report.json")))
                      as? [String: Any])
    }

    func failures() throws -> [[String: Any]] {
        try XCTUnwrap(report()["plugin_failures"] as? [[String: Any]], "report.json lists the failure")
    }

    func epochs() throws -> [Int] {
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("run/history.json"))) as? [String: Any])
        return try XCTUnwrap(history["epochs"] as? [Int])
    }

    /// The run went on without the plugin: every epoch in history.json, the final weights written,
    /// the warning on standard error and repeated at the end, the failure in report.json.
    func assertDisabledAndTheRunWentOn(_ result: TrainerBinary.Result, _ message: String, hook: String, reason: String,
                                       epoch: Int?, batch: Int? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("warning: \(message)"), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains("disabled for the rest of the run"), result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.components(separatedBy: message).count - 1, 2,
                       "said when it happened and again at the end: \(result.stderr)", file: file, line: line)
        XCTAssertEqual(try epochs(), [0, 1, 2], "training went on", file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/weights.safetensors").path),
                      "the final weights are written", file: file, line: line)
        let listed = try failures()
        XCTAssertEqual(listed.count, 1, "\(listed)", file: file, line: line)
        XCTAssertEqual(listed.first?["plugin"] as? String, "Misbehave", file: file, line: line)
        XCTAssertEqual(listed.first?["hook"] as? String, hook, file: file, line: line)
        XCTAssertEqual(listed.first?["reason"] as? String, reason, file: file, line: line)
        XCTAssertEqual(listed.first?["action"] as? String, "disabled", file: file, line: line)
        XCTAssertEqual(listed.first?["epoch"] as? Int, epoch, file: file, line: line)
        XCTAssertEqual(listed.first?["batch"] as? Int, batch, file: file, line: line)
    }

    func testASegfaultInOnEpochEndDisablesThePluginAndTrainingGoesOn() throws {
        let result = try misbehave(["action=segfault", "epoch=1"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave crashed in on_epoch_end (SIGSEGV) at epoch 2",
                                          hook: "on_epoch_end", reason: "crashed (SIGSEGV)", epoch: 1)
    }

    func testAnAbortInOnTrainBatchEnd() throws {
        let result = try misbehave(["action=abort", "hook=on_train_batch_end"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave crashed in on_train_batch_end (SIGABRT) at epoch 1, batch 1",
                                          hook: "on_train_batch_end", reason: "crashed (SIGABRT)", epoch: 0, batch: 0)
    }

    func testASegfaultInOnTrainBatchEnd() throws {
        let result = try misbehave(["action=segfault", "hook=on_train_batch_end"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave crashed in on_train_batch_end (SIGSEGV)",
                                          hook: "on_train_batch_end", reason: "crashed (SIGSEGV)", epoch: 0, batch: 0)
    }

    func testExitInOnEpochEnd() throws {
        let result = try misbehave(["action=exit", "epoch=1"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave exited in on_epoch_end (status 0) at epoch 2",
                                          hook: "on_epoch_end", reason: "exited (status 0)", epoch: 1)
    }

    func testExitInOnTrainBatchEnd() throws {
        let result = try misbehave(["action=exit", "hook=on_train_batch_end"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave exited in on_train_batch_end (status 0)",
                                          hook: "on_train_batch_end", reason: "exited (status 0)", epoch: 0, batch: 0)
    }

    func testAHangInOnEpochEndIsEndedByTheHookTimeout() throws {
        let result = try misbehave(["action=hang", "epoch=1"], extra: ["--hook-timeout", "1"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave hung in on_epoch_end (no answer within 1 s) at epoch 2",
                                          hook: "on_epoch_end", reason: "hung (no answer within 1 s)", epoch: 1)
        XCTAssertFalse(result.stderr.contains("(hook_timeout); the run stops"),
                       "the in-process watchdog does not count the relayed call: \(result.stderr)")
    }

    func testAHangInOnTrainBatchEnd() throws {
        let result = try misbehave(["action=hang", "hook=on_train_batch_end"], extra: ["--hook-timeout", "1"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave hung in on_train_batch_end (no answer within 1 s)",
                                          hook: "on_train_batch_end", reason: "hung (no answer within 1 s)", epoch: 0, batch: 0)
    }

    /// A plugin that writes garbage into the plugin host's connection is ended like a crash.
    func testGarbageOnTheConnection() throws {
        let result = try misbehave(["action=garble", "epoch=1"])
        try assertDisabledAndTheRunWentOn(result, "plugin Misbehave garbled its answer in on_epoch_end (a frame of 4294967295 bytes) at epoch 2",
                                          hook: "on_epoch_end", reason: "garbled its answer (a frame of 4294967295 bytes)", epoch: 1)
    }

    /// An isolated plugin's file is refused as in process when others could change it, and
    /// runs in its plugin host with --allow-insecure.
    func testAnInsecureFileIsRefusedIsolatedAsInProcess() throws {
        let library = fixtures.appendingPathComponent("libMisbehave.so").path
        try FileManager.default.setAttributes([.posixPermissions: 0o757], ofItemAtPath: library)
        let refused = try misbehave(["action=none"])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("is writable by others"), refused.stderr)
        let allowed = try misbehave(["action=segfault", "epoch=1"], extra: ["--allow-insecure"])
        try assertDisabledAndTheRunWentOn(allowed, "plugin Misbehave crashed in on_epoch_end (SIGSEGV) at epoch 2",
                                          hook: "on_epoch_end", reason: "crashed (SIGSEGV)", epoch: 1)
    }

    /// A crash in create: the run goes on without the plugin, and says so.
    func testACrashInCreate() throws {
        let result = try misbehave(["action=segfault", "hook=create"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stderr.contains("warning: plugin Misbehave crashed in create (SIGSEGV); disabled for the rest of the run"),
                      result.stderr)
        XCTAssertEqual(try failures().first?["hook"] as? String, "create")
        XCTAssertEqual(try epochs(), [0, 1, 2])
    }

    /// A plugin that refuses to start says why, isolated as in process (exit status 2).
    func testCreatesErrorMessageIsRelayed() throws {
        let arguments = ["train", "--epochs", "1", "--limit", "64", "--verbose", "0", "--plugin", "StopWhen",
                         "--set", "condition=val_accuracy >"]
        let inProcess = try TrainerBinary.run(arguments + ["--run-dir", "a"], in: directory)
        let isolated = try TrainerBinary.run(arguments + ["--run-dir", "b", "--isolate"], in: directory)
        XCTAssertEqual(isolated.status, 2, isolated.output)
        XCTAssertEqual(isolated.status, inProcess.status)
        XCTAssertTrue(isolated.stderr.contains("error: plugin StopWhen could not start: condition: column 15"), isolated.stderr)
        XCTAssertEqual(isolated.stderr, inProcess.stderr)
    }

    /// on_plugin_failure = "fail": exit status 1 with the message, after writing what the run has.
    func testOnPluginFailureFailEndsTheRun() throws {
        let result = try misbehaveConfig("on_plugin_failure = \"fail\"\naction = \"segfault\"\nepoch = 1")
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains(
            "error: plugin Misbehave crashed in on_epoch_end (SIGSEGV) at epoch 2; the run stops (on_plugin_failure = \"fail\")"),
            result.stderr)
        XCTAssertEqual(try epochs(), [0, 1], "what was written stays")
        XCTAssertEqual(try failures().first?["action"] as? String, "failed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/weights.safetensors").path),
                       "a failed run writes no final weights, as in process")

        let hang = try misbehaveConfig("on_plugin_failure = \"fail\"\naction = \"hang\"\nhook = \"on_train_batch_end\"",
                                       arguments: ["--hook-timeout", "1"])
        XCTAssertEqual(hang.status, 1, hang.output)
        XCTAssertTrue(hang.stderr.contains("error: plugin Misbehave hung in on_train_batch_end (no answer within 1 s) at epoch 1, batch 1"),
                      hang.stderr)
    }

    func testOnPluginFailureFailInCreate() throws {
        let result = try misbehaveConfig("on_plugin_failure = \"fail\"\naction = \"abort\"\nhook = \"create\"")
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave crashed in create (SIGABRT); the run stops"), result.stderr)
    }

    func testUnknownValuesAreRefusedNamingTheFileAndKey() throws {
        let policy = try misbehaveConfig("on_plugin_failure = \"explode\"")
        XCTAssertEqual(policy.status, 2, policy.output)
        XCTAssertTrue(policy.stderr.contains("run.toml: plugins.Misbehave.on_plugin_failure: must be \"disable\" or \"fail\", not \"explode\""),
                      policy.stderr)
        _ = try write("[plugins.History]\nisolate = \"yes\"\n", to: "bad.toml")
        let isolate = try trainer("train", "bad.toml")
        XCTAssertEqual(isolate.status, 2, isolate.output)
        XCTAssertTrue(isolate.stderr.contains("bad.toml: plugins.History.isolate: must be true or false"), isolate.stderr)

        _ = try write("epochs = 1\n[data]\nlimit = 64\n[plugins.History]\non_plugin_failure = \"fail\"\n", to: "warn.toml")
        let warned = try trainer("train", "warn.toml", "--run-dir", "warned", "--verbose", "0")
        XCTAssertEqual(warned.status, 0, warned.output)
        XCTAssertTrue(warned.stderr.contains("warning: plugin History: on_plugin_failure applies to isolated plugins only"),
                      warned.stderr)
    }

    /// A well-behaved isolated plugin leaves no trace: no warning, no failure in the report.
    func testAWellBehavedIsolatedPluginIsUntouched() throws {
        let result = try misbehave(["action=none"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stderr.isEmpty, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/report.json").path))
    }

    /// The plugin-host mode is not a command for people.
    func testThePluginHostModeRefusesToRunByHand() throws {
        let result = try trainer("plugin-host")
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("plugin-host serves on file descriptor 3"), result.stderr)
    }

    /// EarlyStopping (restoring the best weights through snapshots), ReduceLROnPlateau (the
    /// learning rate), ModelCheckpoint (save_weights, report), CSVLogger and History: every file
    /// an isolated run writes is byte for byte the in-process run's.
    func testIsolatedBundledPluginsDecideAsInProcess() throws {
        _ = try write("""
            epochs = 6
            [data]
            limit = 1000
            [plugins]
            enabled = ["History", "EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint", "CSVLogger", "TerminateOnNaN"]
            [plugins.EarlyStopping]
            monitor = "val_loss"
            patience = 1
            min_delta = 0.02
            restore_best_weights = true
            [plugins.ReduceLROnPlateau]
            factor = 0.5
            patience = 0
            min_delta = 0.05
            [plugins.ModelCheckpoint]
            filepath = "model.{epoch:02d}.safetensors"
            save_best_only = true
            [plugins.CSVLogger]
            filename = "training.csv"
            """, to: "run.toml")
        let inProcess = try trainer("train", "run.toml", "--run-dir", "in-process", "--verbose", "0")
        XCTAssertEqual(inProcess.status, 0, inProcess.output)
        let isolated = try trainer("train", "run.toml", "--run-dir", "isolated", "--verbose", "0", "--isolate")
        XCTAssertEqual(isolated.status, 0, isolated.output)
        XCTAssertEqual(isolated.stderr, inProcess.stderr)

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("in-process").path).sorted()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("isolated").path).sorted(),
                       files)
        for name in files {
            let a = try Data(contentsOf: directory.appendingPathComponent("in-process/\(name)"))
            let b = try Data(contentsOf: directory.appendingPathComponent("isolated/\(name)"))
            XCTAssertTrue(a == b, "\(name) differs")
        }
        // The decisions compared were taken: a stop before the last epoch, the best weights
        // restored, a reduced rate, checkpoints saved.
        let report = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("isolated/report.json"))) as? [String: Any])
            .compactMapValues { $0 as? [String: Double] }
        XCTAssertNotNil(report["EarlyStopping"]?["stopped_epoch"], "\(report)")
        XCTAssertNotNil(report["ModelCheckpoint"]?["best_epoch"], "\(report)")
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("isolated/history.json"))) as? [String: Any])
        let rates = try XCTUnwrap((history["history"] as? [String: Any])?["learning_rate"] as? [Double])
        XCTAssertLessThan(rates.last ?? 1, rates.first ?? 0, "ReduceLROnPlateau reduced the rate: \(rates)")
        XCTAssertTrue(files.contains { $0.hasPrefix("model.") }, "\(files)")
    }

    /// The progress bar of an isolated ProgbarLogger reaches standard output, and evaluate
    /// runs isolated test hooks.
    func testIsolatedProgbarLoggerAndEvaluate() throws {
        let result = try trainer("train", "--epochs", "1", "--limit", "256", "--run-dir", "run", "--verbose", "2", "--isolate")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("8/8 - "), result.stdout)
        XCTAssertTrue(result.stdout.contains("val_loss: "), result.stdout)

        let evaluated = try trainer("evaluate", TrainerBinary.repositoryExamples + "/fashion-mlp.toml", "--weights",
                                    "run/weights.safetensors", "--plugin", "ProgbarLogger", "--isolate", "--verbose", "1")
        XCTAssertEqual(evaluated.status, 0, evaluated.output)
        XCTAssertTrue(evaluated.stdout.contains("Evaluated run/weights.safetensors"), evaluated.stdout)
    }
}
