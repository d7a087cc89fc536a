import Foundation
import PluginTestSupport
import XCTest

/// Where plugins are found, in the README's order: `--plugins-dir`, `$TRAINER_PLUGIN_PATH`,
/// `./plugins`, the binary's directory, `~/.local/share/trainer/plugins`. The first to
/// provide an id wins; a later file with the same id is listed as shadowed, naming the first,
/// and a run that enables the id warns that it shadows it.
final class PluginDiscoveryTests: EndToEndTestCase {
    func directory(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Builds duplicate.c (id `Duplicate`) as copy A or B into `folder`.
    func duplicate(_ copy: String, into folder: URL) throws -> String {
        try CCompiler.buildPlugin(Repository.fixtures + "/duplicate.c", into: folder.path, name: "Duplicate\(copy)",
                                  defines: copy == "B" ? ["COPY_B"] : [])
    }

    func listing(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> [[String: Any]] {
        let result = try TrainerBinary.run(["plugins", "list", "--json"] + arguments, in: directory, environment: environment)
        XCTAssertEqual(result.status, 0, result.output)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
    }

    func entries(_ plugins: [[String: Any]], id: String) -> [[String: Any]] {
        plugins.filter { $0["id"] as? String == id || ($0["reason"] as? String ?? "").contains("\"\(id)\"") }
    }

    /// Every place is searched, and earlier places shadow later ones.
    func testEveryPlaceIsSearchedInTheREADMEsOrder() throws {
        let flag = try directory("flag"), first = try directory("path1"), second = try directory("path2")
        let local = try directory("plugins")
        let user = try directory(".local/share/trainer/plugins")   // HOME is the test's directory
        for (name, folder) in [("flag", flag), ("path1", first), ("path2", second), ("local", local), ("user", user)] {
            _ = try CCompiler.buildPlugin(Repository.fixtures + "/every_hook_noop.c", into: folder.path, name: "Noop",
                                          defines: ["PLUGIN_ID=Noop\(name)"])
        }
        let environment = ["TRAINER_PLUGIN_PATH": first.path + ":" + second.path]
        let plugins = try listing(["--plugins-dir", flag.path], environment: environment)
        for (name, folder) in [("flag", flag), ("path1", first), ("path2", second), ("local", local), ("user", user)] {
            let entry = try XCTUnwrap(plugins.first { $0["id"] as? String == "Noop\(name)" }, "Noop\(name) was not found: \(plugins)")
            XCTAssertEqual(entry["status"] as? String, "ok")
            XCTAssertEqual((entry["path"] as? String).map { URL(fileURLWithPath: $0).deletingLastPathComponent().standardized.path },
                           folder.standardized.path)
        }
        XCTAssertEqual(plugins.first { $0["id"] as? String == "History" }?["status"] as? String, "ok", "the bundled plugins too")
    }

    func testTheFirstDirectoryToProvideAnIdWins() throws {
        let first = try directory("path1"), second = try directory("path2"), user = try directory(".local/share/trainer/plugins")
        let a = try duplicate("A", into: second)
        let b = try duplicate("B", into: user)
        // TRAINER_PLUGIN_PATH comes before the user directory.
        var plugins = try listing(environment: ["TRAINER_PLUGIN_PATH": first.path + ":" + second.path])
        var found = entries(plugins, id: "Duplicate")
        XCTAssertEqual(found.count, 2, "\(found)")
        XCTAssertEqual(found.first { $0["status"] as? String == "ok" }?["path"] as? String, a)
        let shadowed = try XCTUnwrap(found.first { $0["status"] as? String == "shadowed" })
        XCTAssertEqual(shadowed["path"] as? String, b)
        XCTAssertTrue((shadowed["reason"] as? String ?? "").contains("is provided by \(a), found earlier"), "\(shadowed)")
        let winner = try XCTUnwrap(found.first { $0["status"] as? String == "ok" })
        XCTAssertTrue((winner["warning"] as? String ?? "").contains("shadows \(b)"), "\(winner)")

        // --plugins-dir comes before TRAINER_PLUGIN_PATH: B now shadows A.
        let flag = try directory("flag")
        let b2 = try duplicate("B", into: flag)
        plugins = try listing(["--plugins-dir", flag.path], environment: ["TRAINER_PLUGIN_PATH": second.path])
        found = entries(plugins, id: "Duplicate")
        XCTAssertEqual(found.first { $0["status"] as? String == "ok" }?["path"] as? String, b2)

        // The winner is the one a run loads: the run's plugin is named "Duplicate B".
        let info = try TrainerBinary.run(["plugins", "info", "Duplicate", "--plugins-dir", flag.path], in: directory,
                                         environment: ["TRAINER_PLUGIN_PATH": second.path])
        XCTAssertEqual(info.status, 0, info.output)
        XCTAssertTrue(info.stdout.contains("Duplicate B"), info.stdout)
    }

    /// A plugin in ./plugins of the working directory shadows the bundled one of the same id:
    /// listed as shadowing, and warned about at every run.
    func testAWorkingDirectoryPluginShadowsABundledOne() throws {
        let local = try directory("plugins")
        let copy = local.appendingPathComponent("libHistory.so")
        try FileManager.default.copyItem(atPath: try Products.pluginPath("History"), toPath: copy.path)
        let plugins = try listing()
        let found = entries(plugins, id: "History")
        XCTAssertEqual(found.first { $0["status"] as? String == "ok" }?["path"] as? String, copy.path)
        XCTAssertEqual(found.first { $0["status"] as? String == "shadowed" }?["path"] as? String, try Products.pluginPath("History"))
        // Every run that uses it says so.
        try requireFashionMNIST()
        let run = try trainer("train", "--epochs", "1", "--limit", "64", "--verbose", "0", "--run-dir", "run")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stderr.contains("warning: plugin History is loaded from \(copy.path), which shadows \(try Products.pluginPath("History"))"),
                      run.stderr)
    }
}
