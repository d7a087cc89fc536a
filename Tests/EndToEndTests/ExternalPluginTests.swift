import Foundation
import PluginTestSupport
import XCTest

/// A plugin package outside this repository (examples/swift-plugin) depends on the Swift SDK
/// through SwiftPM, builds its own .so, and the unchanged host loads and runs it.
final class ExternalPluginTests: EndToEndTestCase {
    func testAnOutsidePackageBuiltAgainstTheSDKLoadsAndRuns() throws {
        try requireFashionMNIST()
        let example = URL(fileURLWithPath: TrainerBinary.repositoryExamples).appendingPathComponent("swift-plugin")
        let scratch = directory.appendingPathComponent("build")
        // A package of its own: resolving it and building the SDK may take a while.
        let build = try ChildProcess.run(["swift", "build", "--package-path", example.path, "--scratch-path", scratch.path],
                                         errors: .mergedIntoOutput, timeout: 1200)
        XCTAssertEqual(build.status, 0, build.output)
        let library = scratch.appendingPathComponent("debug/libStopAtLoss.so")
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: library, to: plugins.appendingPathComponent("libStopAtLoss.so"))

        let list = try trainer("plugins", "list")
        XCTAssertTrue(list.stdout.contains("StopAtLoss "), list.stdout)
        let run = try trainer("train", "--epochs", "4", "--limit", "512", "--run-dir", "run", "--verbose", "2",
                              "--plugin", "StopAtLoss", "--set", "threshold=10")
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("Epoch 1: loss "), run.stdout)
        XCTAssertFalse(run.stdout.contains("Epoch 2/4"), "stopped after the first epoch:\n\(run.stdout)")
    }
}
