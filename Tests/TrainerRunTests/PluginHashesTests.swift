import XCTest
import TrainerHost
@testable import TrainerRun

/// `[plugin_sha256]`: how `trainer plugins enable` records a plugin file's SHA-256 in the
/// configuration (keeping every other line), and how a run reads it back.
final class PluginHashesTests: XCTestCase {
    let first = String(repeating: "ab", count: 32)
    let second = String(repeating: "01", count: 32)

    func testPinningAddsATableWithAHeadingAndKeepsEveryComment() throws {
        let original = """
            # my experiment
            [plugins]
            enabled = ["History"]  # History only

            [plugins.History]
            # nothing set
            """
        var editor = try PluginsFileEditor(text: original, path: "trainer.toml")
        editor.enable("StopAtAccuracy", set: [])
        editor.pin("StopAtAccuracy", sha256: first)
        let text = editor.text
        for line in ["# my experiment", "enabled = [\"History\", \"StopAtAccuracy\"]  # History only", "# nothing set",
                     PluginsFileEditor.hashesComment + ".", "[plugin_sha256]", "StopAtAccuracy = \"\(first)\""] {
            XCTAssertTrue(text.contains(line), "\(line) missing in:\n\(text)")
        }
        let config = try ConfigLoader.parse(text, source: "trainer.toml")
        XCTAssertEqual(config.pluginSHA256, ["stopataccuracy": first])
        XCTAssertEqual(config.pins.sha256(for: "STOPATACCURACY"), first, "ids are matched case-insensitively")
    }

    func testPinningAgainReplacesTheRecordedHashOnItsLine() throws {
        let original = """
            [plugin_sha256]
            # approved on Monday
            stopataccuracy = "\(first)"   # the old build
            History = "\(first)"
            """
        var editor = try PluginsFileEditor(text: original, path: "trainer.toml")
        editor.pin("StopAtAccuracy", sha256: second)
        let text = editor.text
        XCTAssertTrue(text.contains("stopataccuracy = \"\(second)\"  # the old build"), text)
        XCTAssertTrue(text.contains("# approved on Monday"), text)
        XCTAssertTrue(text.contains("History = \"\(first)\""), text)
        XCTAssertEqual(text.components(separatedBy: "\(second)").count, 2, text)
        XCTAssertEqual(try ConfigLoader.parse(text, source: "trainer.toml").pluginSHA256,
                       ["stopataccuracy": second, "history": first])
    }

    func testAHashThatIsNotSHA256IsAnErrorNamingTheKey() {
        for bad in ["\"abc\"", "42", "\"\(String(repeating: "g", count: 64))\""] {
            XCTAssertThrowsError(try ConfigLoader.parse("[plugin_sha256]\nNoop = \(bad)\n", source: "run.toml"), bad) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains("run.toml") && message.contains("plugin_sha256.Noop"), message)
            }
        }
    }

    func testTheApproveCommandNamesAConfigurationOtherThanTrainerToml() {
        XCTAssertEqual(PluginPins(source: "trainer.toml", hashes: [:]).approveCommand("Noop"), "trainer plugins enable Noop")
        XCTAssertEqual(PluginPins(source: "exp/run.toml", hashes: [:]).approveCommand("Noop"),
                       "trainer plugins enable Noop --config exp/run.toml")
    }
}
