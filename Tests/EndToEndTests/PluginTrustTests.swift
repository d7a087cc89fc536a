import Foundation
import PluginTestSupport
import XCTest

/// Trust, through the real binary: `plugins enable` records the plugin file's SHA-256 in
/// trainer.toml, and a run refuses the plugin once the file changed, until it is enabled
/// again; a plugin file or directory others could have changed is refused with the reason,
/// unless `--allow-insecure`; `plugins list` shows both.
final class PluginTrustTests: EndToEndTestCase {
    /// A plugin directory (mode 0755) holding libNoop.so (noop.c, id `Noop`).
    func pluginDirectory() throws -> (directory: URL, file: String) {
        let folder = directory.appendingPathComponent("trusted")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileModes.set(folder.path)
        let file = try CCompiler.buildPlugin(Repository.fixtures + "/noop.c", into: folder.path, name: "Noop")
        return (folder, file)
    }

    /// One short epoch on a slice of Fashion-MNIST, with plugins from `folder`.
    func train(_ folder: URL, _ arguments: String..., runDirectory: String = "run-\(UUID().uuidString)") throws -> TrainerBinary.Result {
        try TrainerBinary.run(["train", "--epochs", "1", "--limit", "64", "--verbose", "0", "--run-dir", runDirectory,
                               "--plugins-dir", folder.path] + arguments, in: directory)
    }

    func listing(_ folder: URL, _ arguments: String...) throws -> [[String: Any]] {
        let result = try trainer(["plugins", "list", "--json", "--plugins-dir", folder.path] + arguments)
        XCTAssertEqual(result.status, 0, result.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
    }

    func trainer(_ arguments: [String]) throws -> TrainerBinary.Result {
        try TrainerBinary.run(arguments, in: directory)
    }

    func sha256sum(_ path: String) throws -> String {
        let result = try ChildProcess.runSuccessfully(["sha256sum", path])
        return String(result.output.prefix(64))
    }

    func testEnableRecordsTheHashAndAChangedFileIsRefusedUntilEnabledAgain() throws {
        try requireFashionMNIST()
        let (folder, file) = try pluginDirectory()
        let config = try write("""
            # My experiment.
            [plugins]
            enabled = ["History"]   # History first

            [plugins.History]
            # nothing to set
            """, to: "trainer.toml")
        let enable = try trainer(["plugins", "enable", "Noop", "--plugins-dir", folder.path])
        XCTAssertEqual(enable.status, 0, enable.output)
        let recorded = try sha256sum(file)
        XCTAssertTrue(enable.stdout.contains(recorded), enable.stdout)
        let text = try String(contentsOf: config, encoding: .utf8)
        XCTAssertTrue(text.contains("[plugin_sha256]\nNoop = \"\(recorded)\""), text)
        for comment in ["# My experiment.", "# History first", "# nothing to set"] {
            XCTAssertTrue(text.contains(comment), "\(comment) was lost:\n\(text)")
        }

        var plugins = try listing(folder)
        let noop = try XCTUnwrap(plugins.first { $0["id"] as? String == "Noop" })
        XCTAssertEqual(noop["status"] as? String, "ok", "\(noop)")
        XCTAssertEqual(noop["pinned"] as? Bool, true, "\(noop)")
        XCTAssertEqual(plugins.first { $0["id"] as? String == "History" }?["pinned"] as? Bool, false,
                       "History was enabled by hand: not pinned")
        let approved = try train(folder, runDirectory: "approved")
        XCTAssertEqual(approved.status, 0, approved.output)

        // Another plugin's bytes over the approved file, with the same id and in place.
        let other = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let replacement = try CCompiler.buildPlugin(Repository.fixtures + "/every_hook_noop.c", into: other.path, name: "Noop",
                                                    defines: ["PLUGIN_ID=Noop"])
        try Data(contentsOf: URL(fileURLWithPath: replacement)).write(to: URL(fileURLWithPath: file))
        XCTAssertNotEqual(try sha256sum(file), recorded)

        let refused = try train(folder)
        XCTAssertEqual(refused.status, 2, refused.output)
        for part in ["Noop", file, "changed since it was enabled", "trainer plugins enable Noop"] {
            XCTAssertTrue(refused.stderr.contains(part), "\(part) missing in:\n\(refused.stderr)")
        }
        let evaluate = try trainer(["evaluate", "trainer.toml", "--weights", "approved/weights.safetensors",
                                    "--plugins-dir", folder.path])
        XCTAssertEqual(evaluate.status, 2, evaluate.output)
        XCTAssertTrue(evaluate.stderr.contains("trainer plugins enable Noop"), evaluate.stderr)
        plugins = try listing(folder)
        let changed = try XCTUnwrap(plugins.first { $0["id"] as? String == "Noop" })
        XCTAssertEqual(changed["status"] as? String, "changed", "\(changed)")
        XCTAssertTrue((changed["reason"] as? String ?? "").contains("trainer plugins enable Noop"), "\(changed)")

        let again = try trainer(["plugins", "enable", "Noop", "--plugins-dir", folder.path])
        XCTAssertEqual(again.status, 0, again.output)
        let reapproved = try String(contentsOf: config, encoding: .utf8)
        XCTAssertTrue(reapproved.contains("Noop = \"\(try sha256sum(file))\""), reapproved)
        XCTAssertEqual(reapproved.components(separatedBy: "Noop = ").count, 2, "one hash per plugin:\n\(reapproved)")
        let runs = try train(folder)
        XCTAssertEqual(runs.status, 0, runs.output)
    }

    /// A file whose hash no longer matches is refused by `replay` too (trainer.toml of the
    /// working directory), without training data.
    func testReplayRefusesAChangedPinnedPlugin() throws {
        let (folder, file) = try pluginDirectory()
        _ = try write("""
            [plugin_sha256]
            Noop = "\(String(repeating: "0", count: 64))"
            """, to: "trainer.toml")
        let history = try write(#"{"epochs": [0, 1], "history": {"loss": [1.0, 0.5]}}"#, to: "history.json")
        let result = try trainer(["replay", history.path, "--plugin", "Noop", "--plugins-dir", folder.path])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains(file) && result.stderr.contains("trainer plugins enable Noop"), result.stderr)
    }

    /// The reason a plugin whose file or directory is `insecure` (after `change`) is refused,
    /// and that it runs with --allow-insecure.
    func assertRefusedUnlessAllowed(reason: [String], change: (URL, String) throws -> Void) throws {
        try requireFashionMNIST()
        let (folder, file) = try pluginDirectory()
        try change(folder, file)
        let refused = try train(folder, "--plugin", "Noop")
        XCTAssertEqual(refused.status, 2, refused.output)
        for part in ["Noop"] + reason + ["--allow-insecure"] {
            XCTAssertTrue(refused.stderr.contains(part), "\(part) missing in:\n\(refused.stderr)")
        }
        let plugins = try listing(folder)
        let insecure = try XCTUnwrap(plugins.first { $0["path"] as? String == file }, "\(plugins)")
        XCTAssertEqual(insecure["status"] as? String, "insecure", "\(insecure)")
        for part in reason {
            XCTAssertTrue((insecure["reason"] as? String ?? "").contains(part), "\(part) missing in \(insecure)")
        }
        let enable = try trainer(["plugins", "enable", "Noop", "--plugins-dir", folder.path])
        XCTAssertEqual(enable.status, 2, "enabling approves the file: refused too\n\(enable.output)")

        let allowed = try train(folder, "--plugin", "Noop", "--allow-insecure")
        XCTAssertEqual(allowed.status, 0, allowed.output)
        let listed = try listing(folder, "--allow-insecure")
        let noop = try XCTUnwrap(listed.first { $0["id"] as? String == "Noop" }, "\(listed)")
        XCTAssertEqual(noop["status"] as? String, "ok", "\(noop)")
        XCTAssertTrue((noop["warning"] as? String ?? "").contains("--allow-insecure"), "\(noop)")
    }

    func testAGroupWritablePluginFileIsRefused() throws {
        try assertRefusedUnlessAllowed(reason: ["is writable by group (mode 0775)", "chmod g-w"]) { _, file in
            try FileModes.set(file, 0o775)
        }
    }

    func testAPluginDirectoryWritableByOthersIsRefused() throws {
        try assertRefusedUnlessAllowed(reason: ["directory", "is writable by others (mode 0757)", "chmod o-w"]) { folder, _ in
            try FileModes.set(folder.path, 0o757)
        }
    }

    func testAPluginFileOwnedByAnotherUserIsRefused() throws {
        guard geteuid() == 0 else { throw XCTSkip("only root can give a file to another user") }
        try assertRefusedUnlessAllowed(reason: ["is owned by", "uid 65534", "not root"]) { _, file in
            guard chown(file, 65534, 65534) == 0 else { throw HarnessError("chown 65534 \(file) failed") }
        }
    }

    /// The bundled plugins, built with the usual umask, pass the checks; and a plugin no
    /// configuration pins is listed as not pinned only when enabled.
    func testTheBundledPluginsAreSecureAndNotPinned() throws {
        let result = try trainer(["plugins", "list", "--json"])
        XCTAssertEqual(result.status, 0, result.output)
        let plugins = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertFalse(plugins.contains { $0["status"] as? String == "insecure" }, "\(plugins)")
        let history = try XCTUnwrap(plugins.first { $0["id"] as? String == "History" })
        XCTAssertEqual(history["pinned"] as? Bool, false, "a default plugin, enabled with no hash")
        XCTAssertNil(plugins.first { $0["id"] as? String == "StopAtAccuracy" }?["pinned"], "not enabled: no pin to show")
    }
}
