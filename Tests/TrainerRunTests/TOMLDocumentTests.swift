import XCTest
import TrainerHost
@testable import TrainerRun

/// `trainer plugins enable/disable` edit trainer.toml in place: every comment, blank line and
/// other key stays as it was.
final class TOMLDocumentTests: XCTestCase {
    func testATextReadsBackAsItWasWhateverItHolds() {
        let texts = [
            "", "\n", "a = 1", "a = 1\n", "a = 1\r\nb = 2\r\n", "a = 1\n\n\n", "  # only a comment",
            "[t]   # header\nk = \"\"\"multi\nline # not a comment\n\"\"\"  # trailing\n",
            "x = [\n  1, # one\n  2,\n]\n[[arr]]\ny = { a = 1, b = [2, 3] }\n",
            "s = 'lit # eral'\nq = \"esc \\\" # still\"\n", "= broken\n[unclosed\n\"key\n", "k = '''a\n'''\r\n",
        ]
        for text in texts {
            // "\r\n" is one Character: look at the last scalar.
            XCTAssertEqual(TOMLDocument(text).text + (text.unicodeScalars.last == "\n" ? "\n" : ""), text, text.debugDescription)
        }
    }

    func testStatementsKnowTheirKeysAndComments() {
        let document = TOMLDocument("""
            [plugins]  # h
            enabled = [
              "A",  # first
            ]  # after
            [plugins."Stop At".x]
            a.b = 1
            """)
        XCTAssertEqual(document.statements.map(\.kind), [
            .table(["plugins"], array: false), .keyValue(["enabled"]),
            .table(["plugins", "Stop At", "x"], array: false), .keyValue(["a", "b"]),
        ])
        XCTAssertEqual(document.statements[1].innerComments, ["# first"])
        XCTAssertEqual(document.statements[1].trailingComment, "# after")
        XCTAssertEqual(document.fullKey(at: 3), ["plugins", "Stop At", "x", "a", "b"])
    }

    func testEnableAndDisableKeepEveryCommentInEveryTable() throws {
        let original = """
            # top
            epochs = 2  # trailing top

            [plugins]  # plugins header
            # before enabled
            enabled = ["History",  # inside the list
                       "StopAtAccuracy"]  # after the list
            # after enabled

            [plugins.StopAtAccuracy]  # table header
            # inside the table
            threshold = 0.5  # the threshold
            # last in the table

            [data]  # data header
            limit = 10  # a limit

            """
        var editor = try PluginsFileEditor(text: original, path: "trainer.toml")
        editor.enable("StopAtAccuracy", set: [("threshold", .double(0.8)), ("monitor", .string("val_accuracy"))])
        editor.enable("EarlyStopping", set: [("patience", .int(3))])
        XCTAssertTrue(editor.disable("History"))
        let text = editor.text
        for comment in ["# top", "# trailing top", "# plugins header", "# before enabled", "# inside the list",
                        "# after the list", "# after enabled", "# table header", "# inside the table",
                        "# the threshold", "# last in the table", "# data header", "# a limit"] {
            XCTAssertTrue(text.contains(comment), "lost \(comment):\n\(text)")
        }
        XCTAssertTrue(text.contains("threshold = 0.8  # the threshold\nmonitor = \"val_accuracy\"\n# last in the table"), text)
        XCTAssertTrue(text.contains("[plugins.EarlyStopping]\npatience = 3\n"), text)
        let config = try ConfigLoader.parse(text, source: "trainer.toml")
        XCTAssertEqual(config.plugins.map(\.id), ["StopAtAccuracy", "EarlyStopping"])
        XCTAssertEqual(config.plugins[0].value("threshold"), .double(0.8))
        XCTAssertEqual(config.plugins[0].value("monitor"), .string("val_accuracy"))
        XCTAssertEqual(config.data.limit, 10)
        XCTAssertEqual(config.epochs, 2)
    }

    func testAnEditOfNothingGivesTheFileBack() throws {
        let original = "# c\r\n[plugins]\r\nenabled = [\"History\"]  # x\r\n[plugins.History]\r\n"
        let editor = try PluginsFileEditor(text: original, path: "trainer.toml")
        XCTAssertEqual(editor.text, original)
    }

    func testANewPluginsTableGoesAtTheEndWithTheFilesLineEnds() throws {
        var editor = try PluginsFileEditor(text: "epochs = 1  # one\r\n", path: "trainer.toml")
        editor.enable("StopAtAccuracy", set: [("threshold", .double(0.9))])
        XCTAssertEqual(editor.text, "epochs = 1  # one\r\n\r\n" + PluginsFileEditor.headingComment
                       + " (trainer plugins enable/disable edit this part).\r\n[plugins]\r\n"
                       + "enabled = [\"ProgbarLogger\", \"History\", \"StopAtAccuracy\"]\r\n\r\n"
                       + "[plugins.StopAtAccuracy]\r\nthreshold = 0.9\r\n")
    }

    func testPluginsWrittenInAnotherFormAreAnErrorNotALoss() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inline-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "plugins = { enabled = [\"History\"], StopAtAccuracy = { threshold = 0.5 } }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var editor = try PluginsFileEditor(path: path)
        editor.enable("StopAtAccuracy", set: [("threshold", .double(0.7))])
        XCTAssertThrowsError(try editor.write()) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): plugins: cannot be edited in place"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "plugins = { enabled = [\"History\"], StopAtAccuracy = { threshold = 0.5 } }\n", "left as it was")
    }
}
