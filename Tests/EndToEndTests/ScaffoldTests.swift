import Foundation
import PluginTestSupport
import XCTest

/// `trainer plugins new NAME --lang c|swift|rust`: each project builds outside the repository
/// with its one command, against this build tree's SDK, and the plugin it builds runs in a
/// real training run, its hooks printing through the host.
final class ScaffoldTests: EndToEndTestCase {
    /// Scaffolds `name` in `language` into a fresh directory, builds it with `build` (run in
    /// the project), then trains two epochs with the plugin from `libraryDirectory` (absolute,
    /// or relative to the project) and checks its hooks ran with its parameter.
    private func scaffoldBuildAndRun(_ name: String, language: String, build: [String],
                                     environment: [String: String?] = [:], libraryDirectory: String) throws {
        try requireFashionMNIST()
        let project = directory.path + "/\(language)-project"
        let new = try trainer("plugins", "new", name, "--lang", language, "--output", project)
        XCTAssertEqual(new.status, 0, new.output)
        XCTAssertTrue(new.stdout.contains("Wrote the \(language) plugin \(name) into \(project)"), new.stdout)
        XCTAssertTrue(new.stdout.contains("Build it:  cd \(project) && "), new.stdout)

        let built = try ChildProcess.run(build, in: project, environment: environment, errors: .mergedIntoOutput,
                                         timeout: 1800)
        XCTAssertEqual(built.status, 0, built.output)

        let run = try trainer("train", "--epochs", "2", "--limit", "256", "--run-dir", "run", "--verbose", "2",
                              "--plugins-dir", libraryDirectory.hasPrefix("/") ? libraryDirectory : project + "/" + libraryDirectory,
                              "--plugin", name, "--set", "message=scaffolded")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("\(name): scaffolded"), run.output)
        XCTAssertTrue(run.output.contains("\(name): epoch 0 loss "), run.output)
        XCTAssertTrue(run.output.contains("\(name): epoch 1 loss "), run.output)
    }

    func testACProjectBuildsWithMakeAndRuns() throws {
        try scaffoldBuildAndRun("HelloC", language: "c", build: ["make"], libraryDirectory: ".")
    }

    func testARustProjectBuildsWithCargoOfflineAndRuns() throws {
        let cargo = try PluginToolchains.cargo()
        try scaffoldBuildAndRun("HelloRust", language: "rust", build: [cargo, "build", "--release", "--offline"],
                                environment: ["CARGO_TARGET_DIR": nil], libraryDirectory: "target/release")
    }

    func testASwiftProjectBuildsWithSwiftBuildAndRuns() throws {
        // The scratch path beside the products keeps the SDK's release build for the next run.
        let scratch = PluginToolchains.scratch("scaffold-swift")
        try scaffoldBuildAndRun("HelloSwift", language: "swift",
                                build: ["swift", "build", "-c", "release", "--scratch-path", scratch,
                                        "--disable-automatic-resolution"],
                                libraryDirectory: scratch + "/release")
    }

    func testABadNameOrANonEmptyOutputIsRefused() throws {
        let bad = try trainer("plugins", "new", "9lives", "--lang", "c")
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("plugin name \"9lives\" is not usable"), bad.stderr)
        XCTAssertEqual(try trainer("plugins", "new", "has-dash", "--lang", "rust").status, 2)

        _ = try write("mine", to: "taken/notes.txt")
        let taken = try trainer("plugins", "new", "Fine", "--lang", "c", "--output", "taken")
        XCTAssertEqual(taken.status, 2, taken.output)
        XCTAssertTrue(taken.stderr.contains("cannot write the project into taken: it exists and is not empty"), taken.stderr)
        XCTAssertEqual(try String(contentsOfFile: directory.path + "/taken/notes.txt", encoding: .utf8), "mine")

        let language = try trainer("plugins", "new", "Fine", "--lang", "go")
        XCTAssertEqual(language.status, 2, language.output)
    }

    func testEachProjectNamesThePluginAndDocumentsItsHooks() throws {
        for language in ["c", "swift", "rust"] {
            let output = directory.path + "/doc-\(language)"
            XCTAssertEqual(try trainer("plugins", "new", "Documented", "--lang", language, "--output", output).status, 0)
            let files = FileManager.default.enumerator(atPath: output)!.compactMap { $0 as? String }
            XCTAssertFalse(files.contains { $0.contains("@") }, "\(language): a placeholder is left in \(files)")
            var text = ""
            for file in files { text += (try? String(contentsOfFile: output + "/" + file, encoding: .utf8)) ?? "" }
            XCTAssertFalse(text.contains("@NAME@") || text.contains("@SWIFT_SDK@") || text.contains("@RUST_CRATE@"), language)
            XCTAssertTrue(text.contains("Documented"), language)
            for hook in ["Before the first epoch", "After each epoch", "Before validation", "Batch hooks run for every batch"] {
                XCTAssertTrue(text.contains(hook), "\(language) does not document: \(hook)")
            }
        }
    }
}
