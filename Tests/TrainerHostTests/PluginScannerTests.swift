import Foundation
import XCTest
@testable import TrainerHost

/// Hostile plugin files, scanned by the real `trainer` binary in child processes: each is
/// invalid with what happened to it, and the files after it are still scanned.
final class PluginScannerTests: FixtureTestCase {
    func reason(of file: URL, in registry: PluginRegistry) -> String? {
        registry.invalid.first { $0.path == file.path }?.reason
    }

    /// Broken files between valid ones: each broken one is named with its signal and step, or
    /// its exit status; the valid ones around them are found.
    func testACrashMarksOnlyTheFileThatCrashed() throws {
        try Fixtures.build("noop", into: directory, as: "libA_Noop.so")
        let entry = try Fixtures.build("segv_in_entry", into: directory, as: "libB_SegvInEntry.so")
        let constructor = try Fixtures.build("segv_in_constructor", into: directory, as: "libC_SegvInConstructor.so")
        let abort = try Fixtures.build("abort_in_entry", into: directory, as: "libD_Abort.so")
        let exit = try Fixtures.build("exit_in_entry", into: directory, as: "libE_Exit.so")
        let garbage = try Fixtures.build("bad_params", into: directory, as: "libF_GarbagePointers.so", defines: ["GARBAGE_POINTERS"])
        let garbled = try Fixtures.build("garbles_answer", into: directory, as: "libG_Garbles.so")
        try Fixtures.build("recorder", into: directory, as: "libZ_Recorder.so")
        let registry = registry([directory])
        XCTAssertEqual(registry.plugins.map(\.id), ["Noop", "Recorder"], "\(registry.invalid)")
        XCTAssertEqual(reason(of: entry, in: registry), "crashed while loading: SIGSEGV in trainer_plugin_entry")
        XCTAssertEqual(reason(of: constructor, in: registry), "crashed while loading: SIGSEGV in dlopen")
        XCTAssertEqual(reason(of: abort, in: registry), "crashed while loading: SIGABRT in trainer_plugin_entry")
        XCTAssertEqual(reason(of: exit, in: registry), "exited with status 3 while loading (in trainer_plugin_entry)")
        XCTAssertEqual(reason(of: garbage, in: registry), "crashed while loading: SIGSEGV while reading the descriptor")
        XCTAssertEqual(reason(of: garbled, in: registry), "garbled the scanner's answer (a frame of 4294967295 bytes) (in dlopen)")
    }

    func testAFileThatHangsIsCutOffAtTheTimeLimit() throws {
        let loop = try Fixtures.build("loop_in_entry", into: directory, as: "libA_Loop.so")
        try Fixtures.build("noop", into: directory, as: "libB_Noop.so")
        var scanner = self.scanner
        scanner.timeout = 1
        let registry = PluginRegistry(searchPath: PluginSearchPath(directories: [directory.path]), scanner: scanner)
        XCTAssertEqual(reason(of: loop, in: registry), "did not answer within 1 s (in trainer_plugin_entry)")
        XCTAssertEqual(registry.plugins.map(\.id), ["Noop"], "the file after it is scanned by a new scanner")
    }

    /// What a plugin prints while it loads goes to standard error, never into the answer.
    func testAPluginThatPrintsDoesNotDisturbTheAnswer() throws {
        try Fixtures.build("prints_on_load", into: directory, as: "libChatty.so")
        let registry = registry([directory])
        XCTAssertEqual(registry.plugin(id: "Chatty")?.descriptor.summary, "Prints while it loads.", "\(registry.invalid)")
    }

    func testAScannerThatCannotStartLeavesEveryFileUnscannedAndUncached() throws {
        let file = try Fixtures.build("noop", into: directory, as: "libNoop.so")
        var scanner = self.scanner
        scanner.executable = directory.appendingPathComponent("no-such-trainer").path
        let registry = PluginRegistry(searchPath: PluginSearchPath(directories: [directory.path]), scanner: scanner)
        let reason = try XCTUnwrap(reason(of: file, in: registry))
        XCTAssertTrue(reason.hasPrefix("the plugin scanner could not start: "), reason)
        XCTAssertNotNil(self.registry([directory]).plugin(id: "Noop"), "the failure was not cached")
    }

    func testTheTimeLimitComesFromTheEnvironment() {
        XCTAssertEqual(PluginScanner.standard(environment: ["TRAINER_SCAN_TIMEOUT": "0.5"]).timeout, 0.5)
        XCTAssertEqual(PluginScanner.standard(environment: [:]).timeout, 5)
        XCTAssertEqual(PluginScanner.standard(environment: ["TRAINER_SCAN_TIMEOUT": "soon"]).timeout, 5)
        XCTAssertEqual(PluginScanner.standard(environment: [:]).executable, "/proc/self/exe")
    }
}
