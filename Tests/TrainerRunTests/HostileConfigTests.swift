import XCTest
import TrainerHost
@testable import TrainerRun

/// Numbers in a configuration are checked before they are used; a layer too large for memory
/// and a run directory that cannot be written are refused before anything runs.
final class HostileConfigTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testNaNAndInfinityAreRefusedWhereANumberIsRead() {
        for value in ["nan", "inf", "-inf", "+nan"] {
            for (table, key) in [("data", "rescale"), ("data", "validation_split"), ("model.optimizer", "learning_rate")] {
                let text = table == "model.optimizer" ? "[\(table)]\nname = \"adam\"\n\(key) = \(value)\n" : "[\(table)]\n\(key) = \(value)\n"
                XCTAssertThrowsError(try ConfigLoader.parse(text, source: "run.toml"), "\(key) = \(value)") { error in
                    XCTAssertEqual(error as? ConfigError, ConfigError(source: "run.toml", key: "\(table).\(key)",
                        "must be a finite number, not \(Double(value.replacingOccurrences(of: "+", with: ""))!)"))
                }
            }
        }
        XCTAssertEqual(try ConfigLoader.parse("[data]\nrescale = 0.5\n", source: "run.toml").data.rescale, 0.5)
    }

    /// Found by scripts/fuzz (config): the TOML parser asserted (and in release builds assumes)
    /// that a table header starts with a key.
    func testATableHeaderWithoutAKeyIsAnErrorNotAnAbort() {
        for (text, column, found) in [("epochs = 1\n\n[\u{E9}]\n", 2, "'\u{E9}'"), ("[[ = ]]\n", 4, "'='"),
                                      ("  [#]", 4, "'#'"), ("[,a]", 2, "','"), ("[\t.a]", 3, "'.'")] {
            XCTAssertThrowsError(try ConfigLoader.parse(text, source: "run.toml"), text) { error in
                let line = text.hasPrefix("epochs") ? 3 : 1
                XCTAssertEqual("\(error)", "run.toml: line \(line), column \(column): a table header starts with a key "
                               + "(a bare key or a quoted one), not \(found)")
            }
        }
        XCTAssertNoThrow(try ConfigLoader.parse("[ \"model\" ]\nloss = \"mean_squared_error\"\n[[ model.layers ]]\ntype = \"Flatten\"\n",
                                                source: "run.toml"))
    }

    func testALayerTooLargeForMemoryIsRefusedNamingTheKeyTheLayerAndTheSize() throws {
        var spec = ModelSpec()
        spec.layers = [LayerSpec(type: "Dense", options: ["units": .int(1_000_000_000_000)], key: "model.layers[0]")]
        XCTAssertThrowsError(try ModelFactory.model(spec, inputShape: [784], maxBatch: 32, seed: 1, source: "run.toml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("run.toml: model.layers[0]: layer 'dense': Dense"), text)
            for fragment in ["785000000000000 parameters", "[784, 1000000000000]", "batches of 32", "memory"] {
                XCTAssertTrue(text.contains(fragment), "\(fragment) missing: \(text)")
            }
        }
        // A shape whose product overflows is refused the same way, not trapped on.
        spec.layers = [LayerSpec(type: "Dense", options: ["units": .int(Int.max / 2)], key: "model.layers[0]")]
        XCTAssertThrowsError(try ModelFactory.model(spec, inputShape: [28, 28], maxBatch: 32, seed: 1, source: "run.toml")) { error in
            XCTAssertTrue("\(error)".contains("more than 2^63"), "\(error)")
        }
        spec.layers = [LayerSpec(type: "Dense", options: ["units": .int(10)], key: "model.layers[0]")]
        XCTAssertEqual(try ModelFactory.model(spec, inputShape: [784], maxBatch: 32, seed: 1, source: "run.toml").weights.count, 2)
    }

    func testARunDirectoryUnderAFileIsRefusedAndNothingIsLeftBehind() throws {
        let file = directory.appendingPathComponent("somefile").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunDirectory.create(named: file + "/a/b", origin: ("command line", "--run-dir"))) { error in
            XCTAssertEqual(error as? ConfigError, ConfigError(source: "command line", key: "--run-dir",
                                                              "cannot create \(file)/a/b: \(file) is a file, not a directory"))
        }
        let nested = directory.appendingPathComponent("new/run").path
        let created = try RunDirectory.create(named: nested)
        XCTAssertEqual(created.created, [directory.appendingPathComponent("new").path, nested])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: nested), [], "the write check leaves nothing")
        created.removeIfEmpty()
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("new").path))
        // A directory written into stays, and so do those above it.
        let kept = try RunDirectory.create(named: nested)
        try "x".write(toFile: nested + "/weights", atomically: true, encoding: .utf8)
        kept.removeIfEmpty()
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested + "/weights"))
    }

    func testTheDefaultRunDirectoryAndRunsAreRemovedWhenEmpty() throws {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(directory.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let run = try RunDirectory.create(named: nil)
        XCTAssertTrue(run.path.hasPrefix("runs/"))
        XCTAssertEqual(run.created, ["runs", run.path])
        run.removeIfEmpty()
        XCTAssertFalse(FileManager.default.fileExists(atPath: "runs"))
    }
}
