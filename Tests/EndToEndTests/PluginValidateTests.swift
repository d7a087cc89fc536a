import Foundation
import PluginTestSupport
import XCTest

/// `trainer plugins validate`, through the real binary on real plugin files: every bundled
/// plugin passes; hostile fixtures fail the check they break, with the signal or the time
/// limit named, and the validator itself never crashes.
final class PluginValidateTests: EndToEndTestCase {
    var fixtures: URL { directory.appendingPathComponent("fixtures") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
    }

    func fixture(_ source: String, _ name: String) throws -> String {
        try CCompiler.buildPlugin(Repository.fixtures + "/" + source, into: fixtures.path, name: name)
    }

    /// `trainer plugins validate ARGUMENTS --json`: the status and the report.
    func validate(_ arguments: [String]) throws -> (status: Int32, report: [String: Any], stderr: String) {
        let result = try TrainerBinary.run(["plugins", "validate"] + arguments + ["--json"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return (result.status, try XCTUnwrap(object as? [String: Any], result.output), result.stderr)
    }

    /// The check named `id` of a report: its status and reason.
    func check(_ id: String, in report: [String: Any]) throws -> (status: String, reason: String) {
        let checks = try XCTUnwrap(report["checks"] as? [[String: Any]])
        let entry = try XCTUnwrap(checks.first { $0["id"] as? String == id }, "no check \(id) in \(checks)")
        return (try XCTUnwrap(entry["status"] as? String), try XCTUnwrap(entry["reason"] as? String))
    }

    func failures(_ report: [String: Any]) -> [String] {
        ((report["checks"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == "fail" }
            .map { "\($0["id"] ?? "?"): \($0["reason"] ?? "?")" }
    }

    /// The parameters a run of each bundled plugin must give; the others take their defaults.
    static let bundled: [String: [String]] = [
        "TensorBoard": [], "ProgbarLogger": [], "History": [], "StopAtAccuracy": [],
        // With its best weights in the saved state, which must round-trip before on_train_begin too.
        "EarlyStopping": ["restore_best_weights=true"],
        "ReduceLROnPlateau": [], "TerminateOnNaN": [], "Timer": [], "RemoteMonitor": [], "LambdaCallback": [],
        "CSVLogger": [], "LearningCurves": [], "ClassificationReport": [], "SwapEMAWeights": [],
        "BackupAndRestore": ["backup_dir=backup"],
        "LearningRateScheduler": ["schedule=lr * 0.5"],
        "StopWhen": ["condition=loss < 0.01"],
        "ModelCheckpoint": ["filepath=model.{epoch:02d}.safetensors"],
    ]

    func testEveryBundledPluginPasses() throws {
        let listed = try TrainerBinary.run(["plugins", "list", "--json"], in: directory)
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], listed.output)
        let ids = Set(plugins.compactMap { $0["id"] as? String })
        XCTAssertEqual(ids, Set(Self.bundled.keys), "every bundled plugin is validated here")
        for id in Self.bundled.keys.sorted() {
            let (status, report, stderr) = try validate([id, "--seed", "1"] + Self.bundled[id]!.flatMap { ["--set", $0] })
            XCTAssertEqual(status, 0, "\(id): \(failures(report)) \(stderr)")
            XCTAssertEqual(report["passed"] as? Bool, true, id)
            XCTAssertEqual(report["id"] as? String, id)
        }
    }

    func testASegfaultInAHookFailsTheLifecycleCheckNamingTheSignal() throws {
        let plugin = try fixture("misbehave.c", "Misbehave")
        let (status, report, _) = try validate([plugin, "--set", "action=segfault"])
        XCTAssertEqual(status, 1)
        let fit = try check("fit", in: report)
        XCTAssertEqual(fit.status, "fail")
        XCTAssertTrue(fit.reason.contains("crashed: SIGSEGV in on_epoch_end (epoch 0)"), fit.reason)
        XCTAssertEqual(try check("descriptor", in: report).status, "pass")
        XCTAssertEqual(try check("create", in: report).status, "pass")
        // hook=create with the default action crashes create itself.
        let edges = try check("create-edge-cases", in: report)
        XCTAssertEqual(edges.status, "fail")
        XCTAssertTrue(edges.reason.contains("SIGSEGV in create with hook=\"create\""), edges.reason)
        XCTAssertEqual(try check("state", in: report).status, "skip")
    }

    func testAHangFailsWithTheTimeLimit() throws {
        let plugin = try fixture("misbehave.c", "Misbehave")
        let (status, report, _) = try validate([plugin, "--set", "action=hang", "--set", "hook=on_train_batch_end",
                                                "--timeout", "1"])
        XCTAssertEqual(status, 1)
        let fit = try check("fit", in: report)
        XCTAssertEqual(fit.status, "fail")
        XCTAssertTrue(fit.reason.contains("did not finish within the time limit of 1 s (hang in on_train_batch_end (epoch 0, batch 0)"),
                      fit.reason)
        XCTAssertEqual(try check("evaluate", in: report).status, "pass")
    }

    func testAnExitInAHookFails() throws {
        let plugin = try fixture("misbehave.c", "Misbehave")
        let (status, report, _) = try validate([plugin, "--set", "action=exit"])
        XCTAssertEqual(status, 1)
        let fit = try check("fit", in: report)
        XCTAssertEqual(fit.status, "fail")
        XCTAssertTrue(fit.reason.contains("exited with status 0 before the check ended in on_epoch_end"), fit.reason)
    }

    func testACarefulPluginPassesEveryCheck() throws {
        let plugin = try fixture("careless.c", "Careless")
        let (status, report, stderr) = try validate([plugin])
        XCTAssertEqual(status, 0, "\(failures(report)) \(stderr)")
        let checks = try XCTUnwrap(report["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.map { $0["status"] as? String }, Array(repeating: "pass", count: 10))
        XCTAssertTrue(try check("state", in: report).reason.contains("identical (8 bytes)"))
    }

    func testPrintingToStandardOutputFailsTheStdoutCheck() throws {
        let careless = try fixture("careless.c", "Careless")
        let (status, report, _) = try validate([careless, "--set", "flaw=prints"])
        XCTAssertEqual(status, 1)
        let stdout = try check("stdout", in: report)
        XCTAssertEqual(stdout.status, "fail")
        XCTAssertTrue(stdout.reason.contains("Careless prints epoch 0"), stdout.reason)
        XCTAssertEqual(failures(report).count, 1, "\(failures(report))")

        let chatty = try fixture("prints_on_load.c", "Chatty")
        let loud = try validate([chatty])
        XCTAssertEqual(loud.status, 1)
        XCTAssertEqual(try check("stdout", in: loud.report).status, "fail")
        XCTAssertTrue(try check("stdout", in: loud.report).reason.contains("Chatty says hello"))
    }

    func testCallingTheHostFromAnotherThreadFails() throws {
        let plugin = try fixture("careless.c", "Careless")
        let (status, report, _) = try validate([plugin, "--set", "flaw=other_thread"])
        XCTAssertEqual(status, 1)
        let threads = try check("threads", in: report)
        XCTAssertEqual(threads.status, "fail")
        XCTAssertTrue(threads.reason.contains("from 1 thread(s) other than the one that called its hooks"), threads.reason)
        XCTAssertEqual(failures(report).count, 1, "\(failures(report))")
    }

    func testALoadStateThatCrashesOnRandomBytesFails() throws {
        let plugin = try fixture("careless.c", "Careless")
        let (status, report, _) = try validate([plugin, "--set", "flaw=bad_state", "--seed", "7"])
        XCTAssertEqual(status, 1)
        let state = try check("state", in: report)
        XCTAssertEqual(state.status, "fail")
        XCTAssertNotNil(state.reason.range(of: #"^crashed: SIGSEGV in load_state with [0-9]+ random bytes \(random case [0-9]\)$"#,
                                           options: .regularExpression), state.reason)
        XCTAssertEqual(report["seed"] as? Int, 7)

        // The same seed repeats the same case.
        let again = try validate([plugin, "--set", "flaw=bad_state", "--seed", "7"])
        XCTAssertEqual(try check("state", in: again.report).reason, state.reason)
    }

    func testAStateThatDoesNotRoundTripFails() throws {
        let plugin = try fixture("careless.c", "Careless")
        let (status, report, _) = try validate([plugin, "--set", "flaw=drifts"])
        XCTAssertEqual(status, 1)
        let state = try check("state", in: report)
        XCTAssertEqual(state.status, "fail")
        XCTAssertTrue(state.reason.contains("differ from the 8 bytes loaded (first at byte 3)"), state.reason)
    }

    func testTheJSONReportShape() throws {
        let plugin = try fixture("careless.c", "Careless")
        let (_, report, _) = try validate([plugin, "--seed", "42"])
        XCTAssertEqual(report["path"] as? String, plugin)
        XCTAssertEqual(report["id"] as? String, "Careless")
        XCTAssertEqual(report["version"] as? String, "1.0.0")
        XCTAssertEqual(report["seed"] as? Int, 42)
        XCTAssertEqual(report["passed"] as? Bool, true)
        XCTAssertNotNil(report["scan_seconds"] as? Double)
        let checks = try XCTUnwrap(report["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.compactMap { $0["id"] as? String },
                       ["scan", "descriptor", "create", "create-edge-cases", "fit", "evaluate", "predict", "state", "threads", "stdout"])
        for entry in checks {
            XCTAssertEqual(Set(entry.keys), ["id", "status", "reason"], "\(entry)")
        }
    }

    func testTheTextReportPrintsTheSeed() throws {
        let plugin = try fixture("careless.c", "Careless")
        let result = try TrainerBinary.run(["plugins", "validate", plugin, "--set", "flaw=drifts", "--seed", "1234"], in: directory)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains(", seed 1234"), result.stdout)
        XCTAssertTrue(result.stdout.contains("FAIL  state"), result.stdout)
        XCTAssertTrue(result.stdout.contains("9 passed, 1 failed, 0 skipped. Repeat the random cases with --seed 1234."), result.stdout)

        let unseeded = try TrainerBinary.run(["plugins", "validate", plugin], in: directory)
        XCTAssertEqual(unseeded.status, 0, unseeded.output)
        XCTAssertNotNil(unseeded.stdout.range(of: #", seed [0-9]+\n"#, options: .regularExpression), unseeded.stdout)
    }

    func testUsageErrorsExit2() throws {
        let missing = try TrainerBinary.run(["plugins", "validate", "nowhere/libNothing.so"], in: directory)
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.stderr.contains("nowhere/libNothing.so: no such file"), missing.stderr)

        let unknown = try TrainerBinary.run(["plugins", "validate", "NoSuchPlugin"], in: directory)
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.stderr.contains("unknown plugin \"NoSuchPlugin\""), unknown.stderr)

        let plugin = try fixture("careless.c", "Careless")
        let badSet = try TrainerBinary.run(["plugins", "validate", plugin, "--set", "flaw"], in: directory)
        XCTAssertEqual(badSet.status, 2, badSet.output)

        let unknownKey = try TrainerBinary.run(["plugins", "validate", plugin, "--set", "colour=red"], in: directory)
        XCTAssertEqual(unknownKey.status, 2, unknownKey.output)
        XCTAssertTrue(unknownKey.stderr.contains("plugin Careless, parameter colour: unknown parameter (parameters: flaw)"),
                      unknownKey.stderr)

        let badValue = try TrainerBinary.run(["plugins", "validate", plugin, "--set", "flaw=sloppy"], in: directory)
        XCTAssertEqual(badValue.status, 2, badValue.output)
        XCTAssertTrue(badValue.stderr.contains("parameter flaw: flaw must be one of"), badValue.stderr)
    }

    func testAFileThatIsNotAPluginFailsTheScan() throws {
        let plugin = try fixture("segv_in_entry.c", "SegvInEntry")
        let (status, report, _) = try validate([plugin])
        XCTAssertEqual(status, 1)
        let scan = try check("scan", in: report)
        XCTAssertEqual(scan.status, "fail")
        XCTAssertTrue(scan.reason.contains("SIGSEGV"), scan.reason)
        XCTAssertEqual(try check("fit", in: report).status, "skip")
    }
}
