import Foundation
import PluginTestSupport
import XCTest

/// A plugin package outside the host's package (examples/swift-plugin) depends on the Swift SDK
/// package (sdk/swift) by path, builds its own .so, and the unchanged host loads and runs it.
final class ExternalPluginTests: EndToEndTestCase {
    /// Where the example is built: beside the products, so that a second test run reuses the
    /// build instead of starting over (SwiftPM locks the folder against concurrent builds).
    static var scratch: URL {
        URL(fileURLWithPath: Products.directory).deletingLastPathComponent()
            .appendingPathComponent("external/swift-plugin")
    }

    func testAnOutsidePackageBuiltAgainstTheSDKLoadsAndRuns() throws {
        try requireFashionMNIST()
        let example = URL(fileURLWithPath: TrainerBinary.repositoryExamples).appendingPathComponent("swift-plugin")
        // The SDK package has no dependencies: the build needs no network, and says so by
        // refusing to resolve anything it would have to fetch.
        let command = ["swift", "build", "--package-path", example.path, "--scratch-path", Self.scratch.path,
                       "--disable-automatic-resolution"]
        var build = try ChildProcess.run(command, errors: .mergedIntoOutput, timeout: 1200)
        if build.status != 0 {
            // A build kept from before the SDK gained a module does not see it: start afresh once.
            try? FileManager.default.removeItem(at: Self.scratch)
            build = try ChildProcess.run(command, errors: .mergedIntoOutput, timeout: 1200)
        }
        XCTAssertEqual(build.status, 0, build.output)
        let library = Self.scratch.appendingPathComponent("debug/libStopAtLoss.so")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: library, to: plugins.appendingPathComponent("libStopAtLoss.so"))

        let list = try trainer("plugins", "list")
        XCTAssertTrue(list.stdout.contains("StopAtLoss "), list.stdout)
        let run = try trainer("train", "--epochs", "4", "--limit", "512", "--run-dir", "run", "--verbose", "2",
                              "--plugin", "StopAtLoss", "--set", "threshold=10")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stderr.contains("StopAtLoss: Epoch 1: loss "), run.stderr)
        XCTAssertFalse(run.stdout.contains("Epoch 2/4"), "stopped after the first epoch:\n\(run.stdout)")
    }
}
