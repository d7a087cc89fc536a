import Foundation
import PluginTestSupport
import XCTest

/// A plugin that crashes, aborts, calls exit() or hangs inside a call of the training process
/// ends the run with exit status 1 and a message naming the plugin and the hook; the files the
/// run wrote before stay intact. Ctrl-C pressed twice stops at once.
final class PluginGuardTests: EndToEndTestCase {
    var fixtures: URL { directory.appendingPathComponent("fixtures") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireFashionMNIST()
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/misbehave.c", into: fixtures.path, name: "Misbehave")
    }

    /// History is listed before Misbehave, so history.json holds epochs 0 and 1 when the
    /// plugin misbehaves at the end of epoch 1.
    func misbehave(_ settings: [String], extra: [String] = []) throws -> TrainerBinary.Result {
        try TrainerBinary.run(["train", "--epochs", "3", "--limit", "256", "--run-dir", "run", "--verbose", "0",
                               "--plugins-dir", fixtures.path, "--plugin", "Misbehave"] + settings.flatMap { ["--set", $0] } + extra,
                              in: directory)
    }

    func assertHistoryIsWritten(file: StaticString = #filePath, line: UInt = #line) throws {
        let history = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("run/history.json"))) as? [String: Any], file: file, line: line)
        // History comes after Misbehave (the defaults follow the --plugin ones, as Keras adds
        // them after the user's callbacks): it wrote epoch 0, before the failure in epoch 1.
        XCTAssertEqual(history["epochs"] as? [Int], [0], "what was written stays", file: file, line: line)
    }

    func testASegfaultInAHookNamesThePluginAndTheHook() throws {
        let result = try misbehave(["action=segfault", "epoch=1"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave crashed in on_epoch_end (SIGSEGV)"), result.stderr)
        try assertHistoryIsWritten()
    }

    func testAnAbortInABatchHook() throws {
        let result = try misbehave(["action=abort", "hook=on_train_batch_end"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave crashed in on_train_batch_end (SIGABRT)"), result.stderr)
    }

    func testACrashInCreate() throws {
        let result = try misbehave(["action=segfault", "hook=create"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave crashed in create (SIGSEGV)"), result.stderr)
    }

    /// exit(0) inside a hook must not pass for a successful run.
    func testExitInAHookIsNeverStatus0() throws {
        let result = try misbehave(["action=exit", "epoch=1"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave called exit(0) in on_epoch_end"), result.stderr)
        try assertHistoryIsWritten()
    }

    func testAHookThatHangsIsEndedByTheHookTimeout() throws {
        let result = try misbehave(["action=hang", "epoch=1"], extra: ["--hook-timeout", "1"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("error: plugin Misbehave did not return from on_epoch_end within 1 s (hook_timeout)"),
                      result.stderr)
        try assertHistoryIsWritten()

        _ = try write("hook_timeout = 1\n", to: "timeout.toml")
        let fromConfig = try TrainerBinary.run(["train", "timeout.toml", "--epochs", "2", "--limit", "256", "--run-dir", "run2",
                                                "--verbose", "0", "--plugins-dir", fixtures.path, "--plugin", "Misbehave",
                                                "--set", "action=hang"], in: directory)
        XCTAssertEqual(fromConfig.status, 1, fromConfig.output)
        XCTAssertTrue(fromConfig.stderr.contains("within 1 s (hook_timeout)"), fromConfig.stderr)

        _ = try write("hook_timeout = -3\n", to: "bad.toml")
        let bad = try trainer("train", "bad.toml")
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("bad.toml: hook_timeout: must be a positive number of seconds"), bad.stderr)
    }

    /// A plugin that behaves is not disturbed: the same run without misbehaving succeeds.
    func testAWellBehavedRunIsUntouched() throws {
        let result = try misbehave(["action=none"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stderr.isEmpty, result.stderr)
    }

    /// Ctrl-C twice: the second one ends the process at once, without a backup or a message.
    func testASecondCtrlCStopsAtOnce() throws {
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/kill.c", into: fixtures.path, name: "Kill")
        let result = try TrainerBinary.run(["train", "--epochs", "3", "--limit", "256", "--run-dir", "run", "--verbose", "0",
                                            "--plugins-dir", fixtures.path, "--plugin", "Kill", "--set", "signal=INT2",
                                            "--set", "hook=on_train_batch_end", "--set", "batch=3"],
                                           in: directory, environment: ["KILL_PLUGIN_ARMED": "1"])
        XCTAssertEqual(result.status, 130, result.output)
        XCTAssertFalse(result.stderr.contains("Interrupted at"), result.stderr)
    }
}
