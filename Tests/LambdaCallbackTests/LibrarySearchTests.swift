import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// Where a relative library path (one holding a '/') is found: library_dir; else the working
/// directory, then the run directory. A bare name goes to the system's search alone, as dlopen
/// does it, never to the working directory.
final class LibrarySearchTests: XCTestCase {
    private var dir = ""
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
        plugin = try LoadedPlugin(product: "LambdaCallback")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Creates the plugin with `strings`, calls on_train_end once, and returns the lines the
    /// fixture at `library` wrote.
    private func callNote(_ strings: [String: String], host: FakeHost, library: String) throws -> [String] {
        let fixture = try FixtureLibrary(library)
        let output = dir + "/calls-\(UUID().uuidString).txt"
        fixture.configure(output: output)
        defer { fixture.configure(output: "") }
        let instance = try plugin.create(host: host, strings.mapValues(ParameterValue.string)).get()
        defer { plugin.destroy(instance) }
        plugin.call(\.on_train_end, instance)
        return lines(of: output)
    }

    func testLibraryDirIsWhereRelativePathsAreFound() throws {
        try FileManager.default.createDirectory(atPath: dir + "/libs/sub", withIntermediateDirectories: true)
        let library = try buildFixtureLibrary(into: dir + "/libs/sub", name: "libfromdir.so")
        XCTAssertEqual(try callNote(["on_train_end": "sub/libfromdir.so:note()", "library_dir": dir + "/libs"],
                                    host: FakeHost(), library: library), ["note"])
        XCTAssertEqual(try callNote(["on_train_end": "sub/libfromdir.so:note()", "library_dir": dir + "/libs/"],
                                    host: FakeHost(), library: library), ["note"])
    }

    func testTheRunDirectoryWhenLibraryDirIsNotSet() throws {
        let runDir = dir + "/run"
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let library = try buildFixtureLibrary(into: runDir, name: "libinrun.so")
        XCTAssertEqual(try callNote(["on_train_end": "./libinrun.so:note()"], host: FakeHost(runDirectory: runDir),
                                    library: library), ["note"])
    }

    func testTheWorkingDirectoryComesBeforeTheRunDirectory() throws {
        // The same relative path in both: the working directory's copy is the one loaded.
        let runDir = dir + "/run", work = dir + "/work"
        for d in [runDir + "/lib", work + "/lib"] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        let inWork = try buildFixtureLibrary(into: work + "/lib", name: "libboth.so")
        let inRun = try buildFixtureLibrary(into: runDir + "/lib", name: "libboth.so")
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(work))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let runFixture = try FixtureLibrary(inRun)
        let runOutput = dir + "/run-calls.txt"
        runFixture.configure(output: runOutput)
        defer { runFixture.configure(output: "") }
        XCTAssertEqual(try callNote(["on_train_end": "lib/libboth.so:note()"], host: FakeHost(runDirectory: runDir),
                                    library: inWork), ["note"])
        XCTAssertEqual(lines(of: runOutput), [], "the run directory's copy was not called")
    }

    func testABareNameGoesToTheSystemSearch() throws {
        // libm's cos, through the system's search: the call happens and returns a double.
        let host = FakeHost()
        let instance = try plugin.create(host: host, ["on_epoch_end": .string("libm.so.6:cos(f64 loss) -> f64")]).get()
        defer { plugin.destroy(instance) }
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, [("loss", 0)]), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_DEBUG), ["on_epoch_end calls cos in libm.so.6"])
    }

    /// A bare name is never taken from the working directory, where anyone may drop a file:
    /// the system's search decides, and the message says how to name a local library.
    func testABareNameIsNeverLoadedFromTheWorkingDirectory() throws {
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let library = try buildFixtureLibrary(into: work, name: "libplanted.so")
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(work))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let refused = plugin.create(host: FakeHost(runDirectory: work), ["on_train_end": .string("libplanted.so:note()")])
        guard case .failure(let message) = refused else { return XCTFail("a bare name was loaded from the working directory") }
        XCTAssertTrue("\(message)".contains("library libplanted.so: the system's search failed"), "\(message)")
        XCTAssertTrue("\(message)".contains("e.g. ./libplanted.so"), "\(message)")
        XCTAssertEqual(try callNote(["on_train_end": "./libplanted.so:note()"], host: FakeHost(), library: library), ["note"])
    }
}
