import Foundation
import PluginTestSupport
import XCTest

/// scripts/install into a temporary prefix, from the products this test suite runs with
/// (`--build-dir`, so no second build): the installed trainer finds its plugins and its SDK
/// there, a C plugin builds from pkg-config's flags, and --uninstall removes every file.
final class InstallScriptTests: EndToEndTestCase {
    private var prefix = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        prefix = directory.appendingPathComponent("prefix").path
        let install = try ChildProcess.run([Repository.root + "/scripts/install", "--prefix", prefix,
                                            "--build-dir", Products.directory], errors: .mergedIntoOutput)
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertTrue(install.output.contains("Installed trainer into \(prefix)"), install.output)
    }

    private func installed(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess.Result {
        var changes: [String: String?] = ["HOME": directory.path, "TRAINER_PLUGIN_PATH": nil, "XDG_CACHE_HOME": nil]
        for (name, value) in environment { changes[name] = value }
        return try ChildProcess.run([prefix + "/bin/trainer"] + arguments, in: directory.path, environment: changes)
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func testTheLayoutIsTheDocumentedOne() throws {
        let files = FileManager.default
        for path in ["bin/trainer", "lib/trainer/plugins/libHistory.so", "lib/trainer/plugins/libStopAtAccuracy.so",
                     "include/trainer/trainer_plugin.h", "include/trainer/trainer_plugin_helpers.h",
                     "lib/pkgconfig/trainer-plugin.pc", "share/trainer/swift-sdk/Package.swift",
                     "share/trainer/swift-sdk/Sources/TrainerPluginSDK/Export.swift",
                     "share/trainer/swift-sdk/Sources/CTrainerPlugin/include/trainer_plugin.h",
                     "share/trainer/rust/trainer-plugin/Cargo.toml", "share/trainer/rust/trainer-plugin/src/lib.rs",
                     "share/trainer/templates/c/Makefile", "share/trainer/install-manifest"] {
            XCTAssertTrue(files.fileExists(atPath: prefix + "/" + path), "\(path) is not installed")
        }
        // Every bundled plugin, and nothing in the Swift SDK is a link back into the repository.
        let bundled = try files.contentsOfDirectory(atPath: Repository.root + "/Plugins").filter { !$0.hasPrefix(".") }
        let plugins = try files.contentsOfDirectory(atPath: prefix + "/lib/trainer/plugins")
        XCTAssertEqual(Set(plugins), Set(bundled.map { "lib\($0).so" }))
        let sdk = files.enumerator(atPath: prefix + "/share/trainer/swift-sdk")!.compactMap { $0 as? String }
        for entry in sdk {
            let attributes = try files.attributesOfItem(atPath: prefix + "/share/trainer/swift-sdk/" + entry)
            XCTAssertNotEqual(attributes[.type] as? FileAttributeType, .typeSymbolicLink, "\(entry) is a link")
        }
        XCTAssertEqual(try mode(prefix + "/lib/trainer/plugins/libHistory.so"), 0o755)
        XCTAssertEqual(try mode(prefix + "/lib/trainer/plugins"), 0o755)
    }

    func testTheInstalledTrainerFindsItsPluginsAndSDK() throws {
        let sdk = try installed(["sdk", "--cflags"])
        XCTAssertEqual(sdk.output, "-I\(prefix)/include/trainer\n", sdk.errors)
        let summary = try installed(["sdk"])
        XCTAssertTrue(summary.output.contains("(install: \(prefix))"), summary.output)
        XCTAssertTrue(summary.output.contains("Swift package: \(prefix)/share/trainer/swift-sdk"), summary.output)
        XCTAssertTrue(summary.output.contains("Rust crate:    \(prefix)/share/trainer/rust/trainer-plugin"), summary.output)

        let list = try installed(["plugins", "list"])
        XCTAssertEqual(list.status, 0, list.errors)
        XCTAssertTrue(list.output.contains("\(prefix)/lib/trainer/plugins/libHistory.so"), list.output)
        XCTAssertTrue(list.output.contains("\(prefix)/lib/trainer/plugins/libEarlyStopping.so"), list.output)

        guard FileManager.default.fileExists(atPath: TrainerBinary.fashionMNIST) else { return }
        let run = try installed(["train", "--epochs", "1", "--limit", "256", "--run-dir", "run", "--verbose", "2"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.path + "/run/history.json"), "History did not run")
    }

    func testPkgConfigGivesTheFlagsOfTheInstalledHeaders() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pkg-config") else {
            throw XCTSkip("pkg-config is not installed (scripts/install-deps --test installs it)")
        }
        let flags = try ChildProcess.run(["pkg-config", "--cflags", "trainer-plugin"],
                                         environment: ["PKG_CONFIG_PATH": prefix + "/lib/pkgconfig"])
        XCTAssertEqual(flags.output.trimmingCharacters(in: .whitespacesAndNewlines), "-I\(prefix)/include/trainer", flags.errors)
        try CCompiler.compile(["-shared", "-fPIC", "-I\(prefix)/include/trainer", Repository.fixtures + "/recorder.c",
                               "-o", directory.path + "/libRecorder.so"])
    }

    func testACProjectFromTheInstallBuildsAgainstItsHeaders() throws {
        let new = try installed(["plugins", "new", "FromInstall", "--lang", "c", "--output", "project"])
        XCTAssertEqual(new.status, 0, new.errors)
        let make = try ChildProcess.run(["make"], in: directory.path + "/project", errors: .mergedIntoOutput)
        XCTAssertEqual(make.status, 0, make.output)
        XCTAssertTrue(make.output.contains("-I\(prefix)/include/trainer"), make.output)
        let info = try installed(["plugins", "info", "FromInstall", "--plugins-dir", "project"])
        XCTAssertEqual(info.status, 0, info.errors)
        XCTAssertTrue(info.output.contains("message"), info.output)
    }

    func testUninstallRemovesExactlyWhatWasInstalled() throws {
        let mine = prefix + "/lib/trainer/plugins/libMine.so"
        let other = prefix + "/share/other.txt"
        try "not trainer's".write(toFile: other, atomically: true, encoding: .utf8)
        try "a user's plugin".write(toFile: mine, atomically: true, encoding: .utf8)
        let uninstall = try ChildProcess.run([Repository.root + "/scripts/install", "--uninstall", "--prefix", prefix],
                                             errors: .mergedIntoOutput)
        XCTAssertEqual(uninstall.status, 0, uninstall.output)
        let left = FileManager.default.enumerator(atPath: prefix)!.compactMap { $0 as? String }.sorted()
        XCTAssertEqual(left, ["lib", "lib/trainer", "lib/trainer/plugins", "lib/trainer/plugins/libMine.so",
                              "share", "share/other.txt"])

        let again = try ChildProcess.run([Repository.root + "/scripts/install", "--uninstall", "--prefix", prefix],
                                         errors: .mergedIntoOutput)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.output.contains("no install manifest at \(prefix)/share/trainer/install-manifest"), again.output)
    }
}
