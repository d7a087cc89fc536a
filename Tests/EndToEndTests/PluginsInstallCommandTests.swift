import Foundation
import PluginTestSupport
import XCTest

/// `trainer plugins install FILE.so`: a checked copy, mode 0755, into
/// ~/.local/share/trainer/plugins (HOME is the test's directory), enabling nothing.
final class PluginsInstallCommandTests: EndToEndTestCase {
    private var userPlugins: String { directory.path + "/.local/share/trainer/plugins" }
    private var built = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        built = directory.path + "/built"
        try FileManager.default.createDirectory(atPath: built, withIntermediateDirectories: true)
    }

    private func fixture(_ name: String, as output: String, defines: [String] = []) throws -> String {
        try CCompiler.buildPlugin(Repository.fixtures + "/\(name).c", into: built, name: output, defines: defines)
    }

    func testAValidPluginIsCopiedWithMode0755AndNotEnabled() throws {
        let file = try fixture("recorder", as: "Recorder")
        try FileModes.set(file, 0o775)
        let install = try trainer("plugins", "install", file)
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertTrue(install.stdout.contains("Installed Recorder "), install.stdout)
        XCTAssertTrue(install.stdout.contains("trainer plugins enable Recorder"), install.stdout)

        let destination = userPlugins + "/libRecorder.so"
        let attributes = try FileManager.default.attributesOfItem(atPath: destination)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o755)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), FileManager.default.contents(atPath: file))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path + "/trainer.toml"), "install enabled something")

        let list = try trainer("plugins", "list", "--json")
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], list.output)
        let recorder = try XCTUnwrap(entries.first { $0["id"] as? String == "Recorder" }, list.stdout)
        XCTAssertEqual(recorder["path"] as? String, destination)
        XCTAssertEqual(recorder["enabled"] as? Bool, false)
        let again = try trainer("plugins", "install", file)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("already installed"), again.stdout)
    }

    func testALinkIsInstalledAsTheFileItLeadsTo() throws {
        let file = try fixture("noop", as: "Noop")
        let link = directory.path + "/libLinked.so"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let install = try trainer("plugins", "install", link)
        XCTAssertEqual(install.status, 0, install.output)
        let installed = userPlugins + "/libLinked.so"
        let type = try FileManager.default.attributesOfItem(atPath: installed)[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeRegular)
        XCTAssertEqual(FileManager.default.contents(atPath: installed), FileManager.default.contents(atPath: file))
    }

    func testAFileThatIsNotAPluginIsRefusedWithTheScansReason() throws {
        let noEntry = try fixture("no_entry", as: "NoEntry")
        let refused = try trainer("plugins", "install", noEntry)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("cannot install \(noEntry): not a valid plugin: "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("trainer_plugin_entry"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: userPlugins + "/libNoEntry.so"))

        let crash = try fixture("segv_in_entry", as: "Crashes")
        let crashed = try trainer("plugins", "install", crash)
        XCTAssertEqual(crashed.status, 2, crashed.output)
        XCTAssertTrue(crashed.stderr.contains("SIGSEGV"), crashed.stderr)

        let text = try write("not a plugin", to: "libText.so")
        XCTAssertEqual(try trainer("plugins", "install", text.path).status, 2)
        let missing = try trainer("plugins", "install", directory.path + "/libMissing.so")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("libMissing.so: no such file"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: userPlugins + "/libText.so"))
    }

    /// A plugin that scans but fails the validator (Misbehave segfaults in on_epoch_end by
    /// default) is not installed; the message names the check and how to see the whole report.
    func testAPluginThatFailsValidationIsNotInstalled() throws {
        let file = try fixture("misbehave", as: "Misbehave")
        let refused = try trainer("plugins", "install", file)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("cannot install \(file): it fails trainer plugins validate"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("fit: crashed: SIGSEGV"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: userPlugins + "/libMisbehave.so"))

        // The same file, told not to misbehave, passes and is installed.
        let calm = try trainer("plugins", "install", file, "--set", "action=none")
        XCTAssertEqual(calm.status, 0, calm.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: userPlugins + "/libMisbehave.so"))
    }

    func testAnotherFileWithTheSameIdIsReplacedOnlyWithForce() throws {
        let first = try fixture("duplicate", as: "DuplicateA")
        let second = try fixture("duplicate", as: "DuplicateB", defines: ["COPY_B"])
        XCTAssertEqual(try trainer("plugins", "install", first).status, 0)

        let refused = try trainer("plugins", "install", second)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("\(userPlugins)/libDuplicateA.so already provides plugin Duplicate"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: userPlugins + "/libDuplicateB.so"))

        let forced = try trainer("plugins", "install", "--force", second)
        XCTAssertEqual(forced.status, 0, forced.output)
        XCTAssertTrue(forced.stdout.contains("Removed \(userPlugins)/libDuplicateA.so"), forced.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: userPlugins), ["libDuplicateB.so"])
        let info = try trainer("plugins", "info", "Duplicate")
        XCTAssertTrue(info.stdout.contains("Duplicate B"), info.output)
    }
}
