import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// The plugin as plain cc builds it (no Swift), and what a hook call costs in allocations.
final class BuildTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func plainBuild() throws -> String {
        let output = dir + "/libLambdaCallback.so"
        let folder = Repository.pluginSources("LambdaCallback")
        let sources = ["LambdaCallback.c", "binding.c", "signature.c"].map { folder + "/" + $0 }
        try CCompiler.compile(["-Wextra", "-shared", "-fPIC", "-I", Repository.abiHeaderDirectory] + sources
                              + ["-o", output, "-lffi", "-ldl"])
        return output
    }

    func testBuildsWithPlainCCAndExportsOnlyTheEntry() throws {
        let path = try plainBuild()
        let symbols = try ChildProcess.run(["nm", "-D", "--defined-only", path])
        let exported = symbols.output.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
            .filter { !$0.hasPrefix("_") }
        XCTAssertEqual(exported, ["trainer_plugin_entry"])

        let library = try buildFixtureLibrary(into: dir)
        let fixture = try FixtureLibrary(library)
        let output = dir + "/calls.txt"
        fixture.configure(output: output)
        defer { fixture.configure(output: "") }
        let plugin = try LoadedPlugin(path)
        let host = FakeHost()
        let instance = try plugin.create(host: host, ["on_epoch_end": .string("\(library):report(i32 epoch, f64 loss) -> i32")]).get()
        defer { plugin.destroy(instance) }
        plugin.call(\.on_epoch_end, instance, 3, [("loss", 0.5)])
        XCTAssertEqual(lines(of: output), ["report 3 0.5"])
    }

    func testHookCallsAllocateNothing() throws {
        // A probe program whose own malloc counts every allocation in the process.
        let probe = dir + "/alloc_probe"
        try CCompiler.compile(["-rdynamic", "-I", Repository.abiHeaderDirectory, lambdaFixtures + "/alloc_probe.c",
                               "-o", probe, "-ldl"])
        let library = try buildFixtureLibrary(into: dir)
        let plugin = try Products.pluginPath("LambdaCallback")
        let result = try ChildProcess.run([probe, plugin, "on_train_batch_end",
                                            "\(library):quiet(i64 batch, f64 loss, f32 accuracy, i32 epoch) -> i64", "20000"])
        XCTAssertEqual(result.status, 0, result.errors)
        let numbers = result.output.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(numbers.count, 4, result.output)
        guard numbers.count == 4 else { return }
        XCTAssertGreaterThan(numbers[0], 0, "the probe sees the plugin's allocations (create makes some)")
        XCTAssertEqual(numbers[1], 20000)
        XCTAssertEqual(numbers[2], 0, "allocations while hooks ran: \(result.output)")
        XCTAssertEqual(numbers[3], 0)
    }
}
