import Foundation
import PluginTestSupport
import XCTest

final class PluginsCommandTests: EndToEndTestCase {
    func testEveryCommandHasHelp() throws {
        for arguments in [["--help"], ["train", "--help"], ["plugins", "--help"], ["plugins", "list", "--help"],
                          ["plugins", "info", "--help"], ["plugins", "enable", "--help"], ["plugins", "disable", "--help"]] {
            let result = try TrainerBinary.run(arguments, in: directory)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.output)")
            XCTAssertTrue(result.stdout.contains("USAGE"), "\(arguments): \(result.stdout)")
        }
        let list = try TrainerBinary.run(["plugins", "list", "--help"], in: directory)
        XCTAssertTrue(list.stdout.contains("--rescan"), list.stdout)
    }

    func testListShowsTheBundledPlugins() throws {
        let result = try trainer("plugins", "list")
        XCTAssertEqual(result.status, 0, result.output)
        for id in ["ProgbarLogger", "History", "StopAtAccuracy"] {
            let line = result.stdout.split(separator: "\n").first { $0.hasPrefix(id + " ") }
            XCTAssertNotNil(line, "\(id) missing in:\n\(result.stdout)")
            XCTAssertTrue(line?.contains(" ok ") ?? false, String(line ?? ""))
        }
    }

    func testListJSONReportsEnabledHooksAndInvalidFiles() throws {
        let broken = directory.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "not a library".write(to: broken.appendingPathComponent("libText.so"), atomically: true, encoding: .utf8)
        let result = try trainer("plugins", "list", "--json", "--plugins-dir", broken.path)
        XCTAssertEqual(result.status, 0, result.output)
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let history = try XCTUnwrap(plugins.first { $0["id"] as? String == "History" })
        XCTAssertEqual(history["status"] as? String, "ok")
        XCTAssertEqual(history["enabled"] as? Bool, true, "History is a default plugin")
        XCTAssertEqual(history["abi"] as? String, "1.2")
        let hooks = try XCTUnwrap(history["hooks"] as? [String])
        XCTAssertTrue(hooks.contains("on_epoch_end"))
        XCTAssertFalse(hooks.contains("on_train_batch_end"), "History has no batch hooks")
        let stop = try XCTUnwrap(plugins.first { $0["id"] as? String == "StopAtAccuracy" })
        XCTAssertEqual(stop["enabled"] as? Bool, false)
        let text = try XCTUnwrap(plugins.first { ($0["path"] as? String)?.hasSuffix("libText.so") ?? false })
        XCTAssertEqual(text["status"] as? String, "invalid")
        XCTAssertTrue((text["reason"] as? String ?? "").contains("not a loadable shared object"), "\(text)")
    }

    func testInfoShowsTheParameterTable() throws {
        let result = try trainer("plugins", "info", "stopataccuracy")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.hasPrefix("StopAtAccuracy "), result.stdout)
        for column in ["PARAMETER", "TYPE", "DEFAULT", "monitor", "threshold", "\"accuracy\""] {
            XCTAssertTrue(result.stdout.contains(column), "\(column) missing in:\n\(result.stdout)")
        }
        let unknown = try trainer("plugins", "info", "NoSuchPlugin")
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown plugin \"NoSuchPlugin\""), unknown.stderr)
    }

    func testEnableAndDisablePersistInTrainerToml() throws {
        let enable = try trainer("plugins", "enable", "StopAtAccuracy", "--set", "threshold=0.5", "--set", "monitor=val_accuracy")
        XCTAssertEqual(enable.status, 0, enable.output)
        let file = directory.appendingPathComponent("trainer.toml")
        let text = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(text.contains("enabled = [\"ProgbarLogger\", \"History\", \"StopAtAccuracy\"]"), text)
        XCTAssertTrue(text.contains("[plugins.StopAtAccuracy]"), text)
        XCTAssertTrue(text.contains("threshold = 0.5"), text)

        let list = try trainer("plugins", "list", "--json")
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(plugins.first { $0["id"] as? String == "StopAtAccuracy" }?["enabled"] as? Bool, true)

        let disable = try trainer("plugins", "disable", "ProgbarLogger")
        XCTAssertEqual(disable.status, 0, disable.output)
        let after = try String(contentsOf: file, encoding: .utf8)
        XCTAssertTrue(after.contains("enabled = [\"History\", \"StopAtAccuracy\"]"), after)

        let again = try trainer("plugins", "disable", "ProgbarLogger")
        XCTAssertEqual(again.status, 2)
    }

    func testBadSettingsNameThePluginAndTheKey() throws {
        let unknownKey = try trainer("plugins", "enable", "StopAtAccuracy", "--set", "treshold=0.5")
        XCTAssertEqual(unknownKey.status, 2)
        XCTAssertTrue(unknownKey.stderr.contains("plugin StopAtAccuracy, parameter treshold: unknown parameter"), unknownKey.stderr)
        let badValue = try trainer("plugins", "enable", "StopAtAccuracy", "--set", "threshold=high")
        XCTAssertEqual(badValue.status, 2)
        XCTAssertTrue(badValue.stderr.contains("parameter threshold: threshold must be a number"), badValue.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("trainer.toml").path),
                       "nothing is written when the settings are wrong")
    }

    /// A Swift plugin built with another toolchain loads, with a warning in the listing.
    func testAnotherSwiftToolchainIsWarnedAbout() throws {
        let folder = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/noop.c", into: folder.path, name: "Noop",
                                      defines: ["TOOLCHAIN=\"swift-5.9\""])
        let result = try trainer("plugins", "list", "--json", "--plugins-dir", folder.path)
        XCTAssertEqual(result.status, 0, result.output)
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let noop = try XCTUnwrap(plugins.first { $0["id"] as? String == "Noop" })
        XCTAssertEqual(noop["status"] as? String, "ok", "\(noop)")
        XCTAssertTrue((noop["warning"] as? String ?? "").contains("built with swift-5.9, the host with swift-"), "\(noop)")
    }
}
