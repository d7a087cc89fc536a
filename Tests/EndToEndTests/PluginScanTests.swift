import Foundation
import PluginTestSupport
import XCTest

/// A plugin can never take a run down: every hostile file of Tests/Fixtures in a plugins
/// directory, and every command still works, lists each broken file as invalid with what
/// happened to it, and ends. Plugin files are scanned in a child `trainer`, and the answers are
/// cached in `~/.cache/trainer/registry.json` (HOME is the test's directory).
final class PluginScanTests: EndToEndTestCase {
    /// A limit for each command that no scan comes near: the one hanging file costs 5 s.
    let commandTimeout: TimeInterval = 120

    /// The reason each broken file is listed with, by file name.
    let expectedReasons = [
        "libSegvInEntry.so": "crashed while loading: SIGSEGV in trainer_plugin_entry",
        "libSegvInConstructor.so": "crashed while loading: SIGSEGV in dlopen",
        "libAbort.so": "crashed while loading: SIGABRT in trainer_plugin_entry",
        "libExit.so": "exited with status 3 while loading (in trainer_plugin_entry)",
        "libLoop.so": "did not answer within 5 s (in trainer_plugin_entry)",
        "libBadParams.so": "malformed descriptor: param_count 1000 is implausible",
        "libGarbagePointers.so": "crashed while loading: SIGSEGV while reading the descriptor",
        "libGarbles.so": "garbled the scanner's answer (a frame of 4294967295 bytes) (in dlopen)",
        "libFifo.so": "not a regular file (a FIFO); never opened",
        "libDir.so": "not a regular file (a directory); never opened",
    ]

    /// Builds every hostile fixture into `hostile/`, with Chatty (prints while it loads, and is
    /// valid) among them, and a FIFO and a directory named like plugins.
    func hostileDirectory() throws -> URL {
        let folder = directory.appendingPathComponent("hostile")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (source, name, defines) in [
            ("segv_in_entry", "SegvInEntry", []), ("segv_in_constructor", "SegvInConstructor", []),
            ("abort_in_entry", "Abort", []), ("exit_in_entry", "Exit", []), ("loop_in_entry", "Loop", []),
            ("bad_params", "BadParams", []), ("bad_params", "GarbagePointers", ["GARBAGE_POINTERS"]),
            ("garbles_answer", "Garbles", []), ("prints_on_load", "Chatty", []),
        ] as [(String, String, [String])] {
            _ = try CCompiler.buildPlugin(Repository.fixtures + "/\(source).c", into: folder.path, name: name, defines: defines)
        }
        XCTAssertEqual(mkfifo(folder.appendingPathComponent("libFifo.so").path, 0o644), 0)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("libDir.so"), withIntermediateDirectories: true)
        return folder
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> TrainerBinary.Result {
        try TrainerBinary.run(arguments, in: directory, environment: environment, timeout: commandTimeout)
    }

    /// Checks the text listing names every broken file of `folder` with its reason on the line
    /// below, and Chatty as ok.
    func checkText(_ listing: String, folder: URL, file: StaticString = #filePath, line: UInt = #line) {
        let lines = listing.split(separator: "\n").map(String.init)
        for (name, reason) in expectedReasons {
            let path = folder.appendingPathComponent(name).path
            guard let index = lines.firstIndex(where: { $0.contains(" invalid ") && $0.contains(path) }) else {
                XCTFail("\(name) is not listed as invalid in:\n\(listing)", file: file, line: line)
                continue
            }
            XCTAssertEqual(lines[safe: index + 1], "    reason: \(reason)", name, file: file, line: line)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("Chatty ") && $0.contains(" ok ") }, listing, file: file, line: line)
        XCTAssertTrue(lines.contains { $0.hasPrefix("History ") && $0.contains(" ok ") }, listing, file: file, line: line)
    }

    func testEveryCommandSurvivesEveryHostileFile() throws {
        let folder = try hostileDirectory()
        let list = try run(["plugins", "list", "--plugins-dir", folder.path])
        XCTAssertEqual(list.status, 0, list.output)
        checkText(list.stdout, folder: folder)
        XCTAssertFalse(list.stdout.contains("Chatty says hello"), "a plugin's printing never reaches the listing")

        let json = try run(["plugins", "list", "--json", "--plugins-dir", folder.path])
        XCTAssertEqual(json.status, 0, json.output)
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], json.stdout)
        for (name, reason) in expectedReasons {
            let entry = try XCTUnwrap(plugins.first { $0["path"] as? String == folder.appendingPathComponent(name).path }, name)
            XCTAssertEqual(entry["status"] as? String, "invalid", name)
            XCTAssertEqual(entry["reason"] as? String, reason, name)
            XCTAssertEqual(entry["enabled"] as? Bool, false, name)
        }
        XCTAssertEqual(plugins.first { $0["id"] as? String == "Chatty" }?["status"] as? String, "ok")

        let info = try run(["plugins", "info", "History", "--plugins-dir", folder.path])
        XCTAssertEqual(info.status, 0, info.output)
        XCTAssertTrue(info.stdout.hasPrefix("History "), info.stdout)

        let badInfo = try run(["plugins", "info", "BadParams", "--plugins-dir", folder.path])
        XCTAssertEqual(badInfo.status, 2, badInfo.output)
        XCTAssertTrue(badInfo.stderr.contains("plugin \"BadParams\" is invalid: \(folder.path)/libBadParams.so: malformed descriptor"),
                      badInfo.stderr)

        let enable = try run(["plugins", "enable", "History", "--plugins-dir", folder.path])
        XCTAssertEqual(enable.status, 0, enable.output)
        XCTAssertTrue(enable.stdout.contains("Enabled History"), enable.stdout)
    }

    func testATrainingRunSurvivesEveryHostileFileAndLoadsOnlyWhatItEnables() throws {
        try requireFashionMNIST()
        let folder = try hostileDirectory()
        // In a directory of its own, searched first: scanned before any hostile file. (A scanner
        // that a hostile file is about to take down may run on into the next files before it is
        // killed, and those are scanned again by the next scanner.)
        let counter = directory.appendingPathComponent("counter")
        try FileManager.default.createDirectory(at: counter, withIntermediateDirectories: true)
        let loads = directory.appendingPathComponent("loads.txt")
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/load_counter.c", into: counter.path, name: "LoadCounter",
                                      defines: ["LOAD_LOG=\"\(loads.path)\""])
        let places = ["--plugins-dir", counter.path, "--plugins-dir", folder.path]
        let list = try run(["plugins", "list"] + places)
        XCTAssertEqual(list.status, 0, list.output)
        checkText(list.stdout, folder: folder)
        XCTAssertEqual(loadCount(loads), 1, "scanned once, in the scanner")

        let train = try run(["train", "--epochs", "1", "--limit", "64", "--verbose", "2"] + places)
        XCTAssertEqual(train.status, 0, train.output)
        XCTAssertTrue(train.stdout.contains("Saved the final weights"), train.output)
        XCTAssertEqual(loadCount(loads), 1, "a run that does not enable LoadCounter never loads it")

        let enabled = try run(["train", "--epochs", "1", "--limit", "64", "--verbose", "2", "--plugin", "LoadCounter"] + places)
        XCTAssertEqual(enabled.status, 0, enabled.output)
        XCTAssertEqual(loadCount(loads), 2, "a run that enables it loads it, once, and the scan came from the cache")
    }

    func loadCount(_ loads: URL) -> Int {
        ((try? String(contentsOf: loads, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// The registry cache: a second listing opens nothing, `--rescan` opens everything again,
    /// and a changed file is scanned again while a broken one stays broken until it changes.
    func testTheRegistryCacheIsUsedUntilAFileChanges() throws {
        let folder = directory.appendingPathComponent("cached")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let loads = directory.appendingPathComponent("loads.txt")
        let counter = try CCompiler.buildPlugin(Repository.fixtures + "/load_counter.c", into: folder.path, name: "LoadCounter",
                                                defines: ["LOAD_LOG=\"\(loads.path)\""])
        let crashing = try CCompiler.buildPlugin(Repository.fixtures + "/segv_in_entry.c", into: folder.path, name: "Crashing")
        func listing(_ extra: [String] = []) throws -> [[String: Any]] {
            let result = try run(["plugins", "list", "--json", "--plugins-dir", folder.path] + extra)
            XCTAssertEqual(result.status, 0, result.output)
            return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        }
        func entry(_ plugins: [[String: Any]], _ path: String) -> [String: Any]? {
            plugins.first { $0["path"] as? String == path }
        }

        var plugins = try listing()
        XCTAssertEqual(loadCount(loads), 1)
        XCTAssertEqual(entry(plugins, crashing)?["reason"] as? String, "crashed while loading: SIGSEGV in trainer_plugin_entry")
        let registry = directory.appendingPathComponent(".cache/trainer/registry.json")
        let cached = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: registry)) as? [String: Any])
        let paths = (cached["entries"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        XCTAssertTrue(paths.contains(counter) && paths.contains(crashing), "\(paths)")

        plugins = try listing()
        XCTAssertEqual(loadCount(loads), 1, "the second listing opened nothing: the cache answered")
        XCTAssertEqual(entry(plugins, counter)?["status"] as? String, "ok")
        XCTAssertEqual(entry(plugins, crashing)?["reason"] as? String, "crashed while loading: SIGSEGV in trainer_plugin_entry",
                       "a failure stays until the file changes")

        let info = try run(["plugins", "info", "LoadCounter", "--plugins-dir", folder.path])
        XCTAssertEqual(info.status, 0, info.output)
        XCTAssertTrue(info.stdout.contains("Counts the processes that load it."), info.stdout)
        XCTAssertEqual(loadCount(loads), 1, "info reads the scanned descriptor")

        _ = try listing(["--rescan"])
        XCTAssertEqual(loadCount(loads), 2, "--rescan opens every file again")

        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: counter)
        _ = try listing()
        XCTAssertEqual(loadCount(loads), 3, "a touched file is scanned again")

        try FileManager.default.removeItem(atPath: crashing)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/noop.c", into: folder.path, name: "Crashing")
        plugins = try listing()
        XCTAssertEqual(entry(plugins, crashing)?["status"] as? String, "ok", "rewritten, it is scanned again")
        XCTAssertEqual(entry(plugins, crashing)?["id"] as? String, "Noop")
        XCTAssertEqual(loadCount(loads), 3)
    }

    func testACorruptRegistryCacheIsRewritten() throws {
        let cache = try write("{\"format\": 1, \"entries\": [{\"path\": ", to: ".cache/trainer/registry.json")
        let list = try run(["plugins", "list"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertTrue(list.stdout.contains("History "), list.stdout)
        let rewritten = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: cache)) as? [String: Any])
        XCTAssertFalse((rewritten["entries"] as? [Any] ?? []).isEmpty, "\(rewritten)")
    }

    /// The scanner mode is hidden, and refuses to run without the pipe its parent gives it.
    func testTheScannerModeIsHiddenAndNeedsItsParent() throws {
        let help = try run(["--help"])
        XCTAssertFalse(help.stdout.contains("scan-plugins"), help.stdout)
        let alone = try run(["scan-plugins", "--", "/nonexistent/libX.so"])
        XCTAssertEqual(alone.status, 2, alone.output)
        XCTAssertTrue(alone.stderr.contains("scan-plugins answers on file descriptor 3"), alone.stderr)
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
