import Foundation
import PluginTestSupport
import XCTest
@testable import TrainerHost

final class PluginLoaderTests: FixtureTestCase {
    func reason(of file: URL, in registry: PluginRegistry) -> String? {
        registry.invalid.first { $0.path == file.path }?.reason
    }

    func testATextFileNamedSoIsInvalidNotACrash() throws {
        let file = directory.appendingPathComponent("libText.so")
        try "hello".write(to: file, atomically: true, encoding: .utf8)
        let registry = registry([directory])
        XCTAssertTrue(registry.plugins.isEmpty)
        let reason = try XCTUnwrap(reason(of: file, in: registry))
        XCTAssertTrue(reason.hasPrefix("not a loadable shared object: "), reason)
        XCTAssertTrue(reason.contains("file too short") || reason.contains("invalid ELF header"), reason)
    }

    func testALibraryWithoutTheEntrySymbolIsInvalid() throws {
        let file = try Fixtures.build("no_entry", into: directory, as: "libNoEntry.so")
        XCTAssertEqual(reason(of: file, in: registry([directory])), "no trainer_plugin_entry symbol: not a trainer plugin")
    }

    func testAnotherABIMajorIsRefused() throws {
        let file = try Fixtures.build("wrong_major", into: directory, as: "libWrongMajor.so")
        let reason = try XCTUnwrap(reason(of: file, in: registry([directory])))
        XCTAssertTrue(reason.hasPrefix("ABI 999."), reason)
        XCTAssertTrue(reason.contains("this host speaks ABI 1.x"), reason)
    }

    func testATooSmallDescriptorIsMalformed() throws {
        let file = try Fixtures.build("small_struct", into: directory, as: "libSmallStruct.so")
        let reason = try XCTUnwrap(reason(of: file, in: registry([directory])))
        XCTAssertTrue(reason.hasPrefix("malformed descriptor: struct_size 8 is smaller than the minimum"), reason)
    }

    func testBadIdsAreMalformed() throws {
        let bad = try Fixtures.build("bad_id", into: directory, as: "libBadId.so")
        let empty = try Fixtures.build("bad_id", into: directory, as: "libEmptyId.so", defines: ["BAD_ID_EMPTY"])
        let registry = registry([directory])
        XCTAssertTrue(reason(of: bad, in: registry)?.contains("id \"bad id/!\" must be") ?? false, "\(registry.invalid)")
        XCTAssertEqual(reason(of: empty, in: registry), "malformed descriptor: no id")
    }

    func testARepeatedIdIsShadowedAndTheFirstDirectoryWins() throws {
        let first = directory.appendingPathComponent("first")
        let second = directory.appendingPathComponent("second")
        for d in [first, second] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        let a = try Fixtures.build("duplicate", into: first, as: "libDuplicateA.so")
        let b = try Fixtures.build("duplicate", into: second, as: "libDuplicateB.so", defines: ["COPY_B"])
        let registry = registry([first, second])
        XCTAssertEqual(registry.plugins.map(\.path), [a.path])
        XCTAssertEqual(registry.plugin(id: "duplicate")?.descriptor.name, "Duplicate A")
        XCTAssertNil(reason(of: b, in: registry), "a shadowed plugin is valid, not invalid")
        XCTAssertEqual(registry.shadowed.map(\.path), [b.path])
        XCTAssertEqual(registry.shadowedFiles(of: "DUPLICATE").map(\.by), [a.path])
    }

    func testADescriptorIsReadWithItsSchemaAndHooks() throws {
        try Fixtures.build("recorder", into: directory, as: "libRecorder.so")
        try Fixtures.build("noop", into: directory, as: "libNoop.so")
        let registry = registry([directory])
        let recorder = try XCTUnwrap(registry.plugin(id: "RECORDER"))
        XCTAssertEqual(recorder.descriptor.abiText, "1.2")
        XCTAssertEqual(recorder.descriptor.hooks, PluginHook.allCases)
        XCTAssertEqual(recorder.descriptor.parameters.map(\.name), ["path", "with_logs", "fail_at"])
        XCTAssertEqual(recorder.descriptor.parameter(named: "fail_at")?.nullable, true)
        XCTAssertEqual(recorder.descriptor.parameter(named: "with_logs")?.defaultValue, .bool(false))
        XCTAssertEqual(registry.plugin(id: "Noop")?.descriptor.hooks, [])
    }

    func testThePackagesOwnPluginsLoad() throws {
        let registry = registry([Fixtures.productsDirectory])
        for id in ["ProgbarLogger", "History", "StopAtAccuracy"] {
            XCTAssertNotNil(registry.plugin(id: id), "\(id) not loaded from \(Fixtures.productsDirectory.path): \(registry.invalid)")
        }
        XCTAssertEqual(registry.plugin(id: "History")?.descriptor.toolchain, PluginLoader.hostToolchain)
        XCTAssertEqual(registry.plugin(id: "StopAtAccuracy")?.descriptor.toolchain, "")
    }

    func testAFIFOAndADirectoryNamedSoAreReportedNeverOpened() throws {
        let fifo = directory.appendingPathComponent("libFifo.so")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        let folder = directory.appendingPathComponent("libDir.so")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Fixtures.build("noop", into: directory, as: "libNoop.so")
        let registry = registry([directory])
        XCTAssertEqual(reason(of: fifo, in: registry), "not a regular file (a FIFO); never opened")
        XCTAssertEqual(reason(of: folder, in: registry), "not a regular file (a directory); never opened")
        XCTAssertNotNil(registry.plugin(id: "Noop"), "\(registry.invalid)")
    }

    func testAParameterCountBeyondItsArrayIsRefusedByTheScan() throws {
        let file = try Fixtures.build("bad_params", into: directory, as: "libBadParams.so")
        XCTAssertEqual(reason(of: file, in: registry([directory])), "malformed descriptor: param_count 1000 is implausible")
    }

    /// The training process loads only the file that was scanned, and only when its
    /// descriptor's counts are those the scan checked.
    func testLoadingChecksTheFileAndTheCountsTheScanFound() throws {
        let file = try Fixtures.build("recorder", into: directory, as: "libRecorder.so")
        let scanned = try XCTUnwrap(registry([directory]).plugin(id: "Recorder"))
        XCTAssertEqual(try PluginLoader.load(scanned).get().descriptor.parameters.map(\.name), ["path", "with_logs", "fail_at"])

        var other = scanned.identity
        other.modifiedNanoseconds += 1
        let changed = ScannedPlugin(path: file.path, identity: other, descriptor: scanned.descriptor)
        guard case .failure(let problem) = PluginLoader.load(changed) else { return XCTFail("a changed file was loaded") }
        XCTAssertEqual(problem.reason, "changed since it was scanned; run the command again")

        var fewer = scanned.descriptor
        fewer.parameters.removeLast()
        let counted = ScannedPlugin(path: file.path, identity: scanned.identity, descriptor: fewer)
        guard case .failure(let mismatch) = PluginLoader.load(counted) else { return XCTFail("the counts were not checked") }
        XCTAssertEqual(mismatch.reason, "malformed descriptor: param_count is 3, but the scan found 2 parameters")

        var renamed = scanned.descriptor
        renamed.summary = "something else"
        let described = ScannedPlugin(path: file.path, identity: scanned.identity, descriptor: renamed)
        guard case .failure(let differs) = PluginLoader.load(described) else { return XCTFail("the descriptor was not compared") }
        XCTAssertEqual(differs.reason, "describes itself otherwise than when it was scanned; run the command again")
    }

    /// Before it loads a file, the loader checks on the opened file who could have changed it
    /// and, when pinned, its SHA-256: a refusal, not an invalid file.
    func testLoadingRefusesAnInsecureFileAndOneWhoseHashIsNotThePinnedOne() throws {
        let file = try Fixtures.build("noop", into: directory, as: "libNoop.so")
        let scanned = try XCTUnwrap(registry([directory]).plugin(id: "Noop"))
        let digest = try FileDigest.sha256(path: file.path).get()
        XCTAssertEqual(digest.count, 64)
        XCTAssertNoThrow(try PluginLoader.load(scanned, pins: PluginPins(source: "trainer.toml", hashes: ["noop": digest])).get())

        let wrong = PluginPins(source: "run.toml", hashes: ["NOOP": String(repeating: "0", count: 64)])
        guard case .failure(let mismatch) = PluginLoader.load(scanned, pins: wrong) else { return XCTFail("a changed file was loaded") }
        XCTAssertTrue(mismatch.refused)
        XCTAssertTrue(mismatch.description.hasPrefix("\(file.path) changed since it was enabled (SHA-256 \(digest.prefix(12))…, "
                                                     + "run.toml records 000000000000…)"), mismatch.description)
        XCTAssertTrue(mismatch.description.hasSuffix("`trainer plugins enable Noop --config run.toml`"), mismatch.description)

        try FileModes.set(file.path, 0o666)
        guard case .failure(let insecure) = PluginLoader.load(scanned) else { return XCTFail("an insecure file was loaded") }
        XCTAssertTrue(insecure.refused)
        XCTAssertTrue(insecure.description.hasPrefix("plugin file \(file.path) is writable by group and others (mode 0666)"),
                      insecure.description)
        XCTAssertNoThrow(try PluginLoader.load(scanned, allowInsecure: true).get())
    }

    func testTheStandardSearchOrder() {
        let path = PluginSearchPath.standard(
            extraDirectories: ["/a", "/b"], environment: ["TRAINER_PLUGIN_PATH": "/c::/d", "HOME": "/home/u"],
            workingDirectory: "/work", executableDirectory: "/bin/dir")
        XCTAssertEqual(path.directories, ["/a", "/b", "/c", "/d", "/work/plugins", "/bin/dir", "/bin/lib/trainer/plugins",
                                          "/home/u/.local/share/trainer/plugins"])
        XCTAssertEqual(PluginSearchPath.userDirectory(environment: ["HOME": "/home/u"]), "/home/u/.local/share/trainer/plugins")
        XCTAssertNil(PluginSearchPath.userDirectory(environment: ["HOME": ""]))
    }
}
