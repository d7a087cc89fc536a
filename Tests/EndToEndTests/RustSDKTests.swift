import Foundation
import PluginTestSupport
import XCTest

/// The Rust SDK (sdk/rust/trainer-plugin): its layout test against the C compiler, and the
/// example plugin (examples/rust-plugin) built with cargo offline and run by the real trainer.
final class RustSDKTests: EndToEndTestCase {
    private static let example = Repository.root + "/examples/rust-plugin"

    /// Builds the example once per test (cargo rebuilds nothing when nothing changed) and puts
    /// its library in ./plugins.
    private func buildExample() throws {
        let cargo = try PluginToolchains.cargo()
        let target = PluginToolchains.scratch("rust-example")
        let build = try ChildProcess.run([cargo, "build", "--release", "--offline"], in: Self.example,
                                         environment: ["CARGO_TARGET_DIR": target], errors: .mergedIntoOutput, timeout: 1200)
        XCTAssertEqual(build.status, 0, build.output)
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: target + "/release/libstop_at_loss.so",
                                         toPath: plugins.path + "/libstop_at_loss.so")
        try FileModes.set(plugins.path + "/libstop_at_loss.so")
    }

    func testTheReprCMirrorHasTheCCompilersLayout() throws {
        let cargo = try PluginToolchains.cargo()
        let test = try ChildProcess.run([cargo, "test", "--offline", "--test", "layout"],
                                        in: Repository.root + "/sdk/rust/trainer-plugin",
                                        environment: ["CARGO_TARGET_DIR": PluginToolchains.scratch("rust-sdk")],
                                        errors: .mergedIntoOutput, timeout: 1200)
        XCTAssertEqual(test.status, 0, test.output)
        XCTAssertTrue(test.output.contains("every_struct_has_the_c_layout ... ok"), test.output)
    }

    func testTheExamplePluginLoadsRunsAndGetsItsParameters() throws {
        try requireFashionMNIST()
        try buildExample()
        let info = try trainer("plugins", "info", "StopAtLossRust")
        XCTAssertEqual(info.status, 0, info.output)
        XCTAssertTrue(info.stdout.contains("threshold"), info.stdout)
        XCTAssertTrue(info.stdout.contains("panic_in"), info.stdout)

        let run = try trainer("train", "--epochs", "3", "--limit", "256", "--run-dir", "run", "--verbose", "2",
                              "--plugin", "StopAtLossRust", "--set", "threshold=100", "--set", "label=xyz")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("[xyz] threshold=100 epochs=3"), run.output)
        XCTAssertTrue(run.output.contains("[xyz] epoch 0 loss "), run.output)
        XCTAssertTrue(run.output.contains("below 100, stopping"), run.output)
        XCTAssertFalse(run.output.contains("[xyz] epoch 1 loss"), "stopped after the first epoch:\n\(run.output)")
        XCTAssertTrue(run.output.contains("[xyz] training ended"), run.output)

        let refused = try trainer("train", "--epochs", "1", "--limit", "256", "--run-dir", "run2",
                                  "--plugin", "StopAtLossRust", "--set", "panic_in=sometimes")
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("panic_in"), refused.stderr)
    }

    func testSavedStateRoundTripsAndBadBytesAreRefused() throws {
        try buildExample()
        let plugin = try LoadedPlugin(directory.path + "/plugins/libstop_at_loss.so")
        let first = try plugin.createInstance(host: FakeHost(), ["threshold": .double(0.0)]).get()
        XCTAssertEqual(first.epochEnd(0, [("loss", 1.5)]), 0)
        XCTAssertEqual(first.epochEnd(1, [("loss", 1.2)]), 0)
        let saved = try XCTUnwrap(first.saveState())
        XCTAssertEqual(saved, [2, 0, 0, 0, 0, 0, 0, 0])

        let host = FakeHost()
        let second = try plugin.createInstance(host: host, ["label": .string("resumed")]).get()
        XCTAssertEqual(second.loadState(saved), 0)
        XCTAssertEqual(second.epochEnd(2, [("loss", 1.0)]), 0)
        XCTAssertEqual(second.saveState(), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertNotEqual(second.loadState([1, 2, 3]), 0)
        XCTAssertTrue(host.messages.contains { $0.text == "load_state failed: a saved state is 8 bytes, not 3" },
                      "\(host.messages.map(\.text))")
        XCTAssertNotEqual(second.epochEnd(3, []), 0, "the logs have no loss: an Err")
        XCTAssertTrue(host.messages.contains { $0.text == "on_epoch_end failed: the logs have no loss" },
                      "\(host.messages.map(\.text))")
        first.destroy()
        second.destroy()
    }

    func testAPanicInAHookFailsTheRunWithItsMessage() throws {
        try requireFashionMNIST()
        try buildExample()
        let run = try trainer("train", "--epochs", "2", "--limit", "256", "--run-dir", "run", "--verbose", "2",
                              "--plugin", "StopAtLossRust", "--set", "panic_in=on_epoch_end")
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("panicked in on_epoch_end: asked to panic at epoch 0"), run.output)
        XCTAssertFalse(run.output.contains("SIGABRT"), run.output)

        let create = try trainer("train", "--epochs", "1", "--limit", "256", "--run-dir", "run2",
                                 "--plugin", "StopAtLossRust", "--set", "panic_in=create")
        XCTAssertNotEqual(create.status, 0, create.output)
        XCTAssertTrue(create.output.contains("panicked in create: asked to panic in create"), create.output)
    }
}
