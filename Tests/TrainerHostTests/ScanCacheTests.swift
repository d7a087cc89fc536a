import Foundation
import XCTest
@testable import TrainerHost

/// The registry cache: an unchanged file is not opened again, a changed one is, a failure is
/// remembered until the file changes, and a cache file that is broken or foreign is ignored
/// and rewritten.
final class ScanCacheTests: FixtureTestCase {
    /// A LoadCounter plugin in its own folder, logging each load to `loads`.
    func buildCounter() throws -> (plugins: URL, library: URL, loads: URL) {
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        let loads = directory.appendingPathComponent("loads.txt")
        let library = try Fixtures.build("load_counter", into: plugins, as: "libLoadCounter.so",
                                         defines: ["LOAD_LOG=\"\(loads.path)\""])
        return (plugins, library, loads)
    }

    func loadCount(_ loads: URL) -> Int {
        ((try? String(contentsOf: loads, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func testAnUnchangedFileIsNotOpenedAgainAndAChangedOneIs() throws {
        let (plugins, library, loads) = try buildCounter()
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), 1)
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"), "from the cache")
        XCTAssertEqual(loadCount(loads), 1, "the cache answered")
        XCTAssertNotNil(registry([plugins], rescan: true).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), 2, "a rescan opens it again")

        let later = Date(timeIntervalSinceNow: 60)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: library.path)
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), 3, "a touched file is another file")
    }

    func testAFailureIsRememberedUntilTheFileChanges() throws {
        let file = try Fixtures.build("segv_in_entry", into: directory, as: "libFlaky.so")
        let cache = ScanCache(location: cacheLocation)
        XCTAssertTrue(cache.entries.isEmpty)
        XCTAssertEqual(registry([directory]).invalid.first?.reason, "crashed while loading: SIGSEGV in trainer_plugin_entry")
        let identity = try FileIdentity.of(file.path).get()
        XCTAssertEqual(ScanCache(location: cacheLocation).result(for: file.path, identity: identity),
                       .invalid(reason: "crashed while loading: SIGSEGV in trainer_plugin_entry", id: nil))

        // Rewritten as a working plugin: a new file, scanned again.
        try FileManager.default.removeItem(at: file)
        try Fixtures.build("noop", into: directory, as: "libFlaky.so")
        let registry = registry([directory])
        XCTAssertEqual(registry.plugins.map(\.path), [file.path], "\(registry.invalid)")
    }

    func testEntriesRoundTripWithTheirIdentity() throws {
        let file = directory.appendingPathComponent("libX.so")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        let identity = try FileIdentity.of(file.path).get()
        let descriptor = PluginDescriptor(
            id: "X", name: "X", version: "1", summary: "", abiMajor: 1, abiMinor: 1, toolchain: "",
            parameters: [ParameterSpec(name: "limit", type: .double, defaultValue: .double(.infinity), minimum: 0)],
            hooks: [.epochEnd], savesState: true)
        var cache = ScanCache(location: cacheLocation)
        cache.record(.plugin(descriptor), for: file.path, identity: identity)
        XCTAssertTrue(cache.save())

        let read = ScanCache(location: cacheLocation)
        XCTAssertFalse(read.needsWriting)
        XCTAssertEqual(read.result(for: file.path, identity: identity), .plugin(descriptor))
        var other = identity
        other.inode += 1
        XCTAssertNil(read.result(for: file.path, identity: other), "another inode is another file")
        other = identity
        other.size += 1
        XCTAssertNil(read.result(for: file.path, identity: other))
        XCTAssertNil(read.result(for: file.path + ".other", identity: identity))
    }

    func testEntriesOfFilesThatAreGoneAreDropped() throws {
        let file = directory.appendingPathComponent("libGone.so")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        var cache = ScanCache(location: cacheLocation)
        cache.record(.invalid(reason: "r", id: nil), for: file.path, identity: try FileIdentity.of(file.path).get())
        try FileManager.default.removeItem(at: file)
        XCTAssertTrue(cache.save())
        XCTAssertTrue(ScanCache(location: cacheLocation).entries.isEmpty)
    }

    func testACorruptCacheIsIgnoredAndRewritten() throws {
        let (plugins, _, loads) = try buildCounter()
        try FileManager.default.createDirectory(atPath: (cacheLocation as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        for corrupt in ["{\"format\": 1, \"entries\": [", "\u{0}\u{1}binary", ""] {
            try corrupt.write(toFile: cacheLocation, atomically: true, encoding: .utf8)
            let cache = ScanCache(location: cacheLocation)
            XCTAssertTrue(cache.entries.isEmpty)
            XCTAssertTrue(cache.needsWriting, "a corrupt cache is rewritten")
        }
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), 1)
        XCTAssertEqual(ScanCache(location: cacheLocation).entries.count, 1, "rewritten")
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), 1, "and used")
    }

    func testACacheOfAnotherTrainerVersionOrABIIsIgnored() throws {
        let (plugins, _, loads) = try buildCounter()
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        let text = try String(contentsOfFile: cacheLocation, encoding: .utf8)
        XCTAssertTrue(text.contains("\"trainer\":\"\(TrainerVersion.current)\""), text)
        for (field, foreign) in [("trainer", "0.0.1"), ("abi", "0.9"), ("toolchain", "swift-1.0")] {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            object[field] = foreign
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: cacheLocation))
            XCTAssertTrue(ScanCache(location: cacheLocation).entries.isEmpty, "\(field) \(foreign)")
        }
        let before = loadCount(loads)
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"))
        XCTAssertEqual(loadCount(loads), before + 1, "scanned again, not taken from a foreign cache")
    }

    func testAnUnreadableOrUnwritableCacheIsNeverFatal() throws {
        // A directory where the cache file should be: it can be neither read nor replaced.
        try FileManager.default.createDirectory(atPath: cacheLocation + "/inside", withIntermediateDirectories: true)
        var cache = ScanCache(location: cacheLocation)
        XCTAssertTrue(cache.entries.isEmpty)
        cache.record(.invalid(reason: "r", id: nil), for: cacheLocation, identity: FileIdentity(
            device: 0, inode: 0, size: 0, modifiedSeconds: 0, modifiedNanoseconds: 0))
        XCTAssertFalse(cache.save())
        let (plugins, _, _) = try buildCounter()
        XCTAssertNotNil(registry([plugins]).plugin(id: "LoadCounter"), "the registry works without its cache")
    }

    func testTheStandardLocation() {
        XCTAssertEqual(ScanCache.standardLocation(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]),
                       "/x/cache/trainer/registry.json")
        XCTAssertEqual(ScanCache.standardLocation(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]),
                       "/home/u/.cache/trainer/registry.json", "a relative XDG_CACHE_HOME is ignored, as the spec says")
        XCTAssertEqual(ScanCache.standardLocation(environment: ["HOME": "/home/u"]), "/home/u/.cache/trainer/registry.json")
        XCTAssertNil(ScanCache.standardLocation(environment: [:]))
    }
}
