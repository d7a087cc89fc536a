import XCTest
import TrainerHost
@testable import TrainerRun

final class PluginsFileEditorTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("editor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testEnablingOnAMissingFileWritesTheDefaultsThenThePlugin() throws {
        let path = directory.appendingPathComponent("trainer.toml").path
        var editor = try PluginsFileEditor(path: path)
        editor.enable("StopAtAccuracy", set: [("threshold", .double(0.85))])
        try editor.write()
        let config = try ConfigLoader.load(path: path)
        XCTAssertEqual(config.plugins.map(\.id), ["ProgbarLogger", "History", "StopAtAccuracy"])
        XCTAssertEqual(config.plugins[2].value("threshold"), .double(0.85))
    }

    func testOtherLinesAndCommentsSurviveAndDisabledParametersAreKept() throws {
        let path = directory.appendingPathComponent("trainer.toml").path
        try """
            # my experiment
            epochs = 2  # short

            [plugins]
            enabled = ["History", "StopAtAccuracy"]

            [plugins.StopAtAccuracy]
            threshold = 0.5

            [data]
            limit = 100
            """.write(toFile: path, atomically: true, encoding: .utf8)
        var editor = try PluginsFileEditor(path: path)
        XCTAssertTrue(editor.disable("stopataccuracy"))
        XCTAssertFalse(editor.disable("EarlyStopping"))
        try editor.write()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("# my experiment"))
        XCTAssertTrue(text.contains("epochs = 2  # short"))
        var config = try ConfigLoader.load(path: path)
        XCTAssertEqual(config.plugins.map(\.id), ["History"])
        XCTAssertEqual(config.data.limit, 100)
        XCTAssertEqual(config.epochs, 2)

        var again = try PluginsFileEditor(path: path)
        again.enable("StopAtAccuracy", set: [])
        try again.write()
        config = try ConfigLoader.load(path: path)
        XCTAssertEqual(config.plugins.map(\.id), ["History", "StopAtAccuracy"])
        XCTAssertEqual(config.plugins[1].value("threshold"), .double(0.5), "parameters kept while disabled")
    }

    func testCommandLineSetsFollowTheirPlugin() throws {
        let overrides = try PluginOverride.parse(arguments: [
            "train", "--plugin", "A", "--set", "x=1", "--set=y=two", "--epochs", "3", "--plugin=B", "--set", "z=",
        ])
        XCTAssertEqual(overrides.map(\.id), ["A", "B"])
        XCTAssertEqual(overrides[0].settings.map(\.key), ["x", "y"])
        XCTAssertEqual(overrides[0].settings.map(\.value), ["1", "two"])
        XCTAssertEqual(overrides[1].settings.map(\.value), [""])
        XCTAssertThrowsError(try PluginOverride.parse(arguments: ["--set", "x=1"]))
        XCTAssertThrowsError(try PluginOverride.parse(arguments: ["--plugin", "A", "--set", "novalue"]))
    }
}
