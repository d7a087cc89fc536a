import Foundation
import PluginTestSupport
import XCTest

/// A plugin built against an older minor version of the ABI loads and runs in this host
/// (Tests/Fixtures/abi-1.0 keeps the 1.0 header). The Swift one handles its descriptor through
/// generic code, which makes the Swift runtime register the 1.0 layout in the process. In a
/// real run its hook logs each epoch's loss and stops training after the second epoch, so the
/// run shows that the hook ran with the right logs and that its host table works.
final class OlderPluginTests: EndToEndTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/abi-1.0")

    func testASwiftPluginBuiltAgainstABI10LoadsAndRuns() throws {
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try ChildProcess.runSuccessfully(["swiftc", "-emit-library", "-parse-as-library", "-I", Self.fixtures.path,
                                          Self.fixtures.appendingPathComponent("OldSwiftPlugin.swift").path,
                                          "-o", plugins.appendingPathComponent("libOldSwift.so").path])

        let list = try trainer("plugins", "list", "--json")
        XCTAssertEqual(list.status, 0, list.output)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let old = try XCTUnwrap(entries.first { $0["id"] as? String == "OldSwift" }, list.stdout)
        XCTAssertEqual(old["abi"] as? String, "1.0")
        XCTAssertEqual(old["status"] as? String, "ok")
        XCTAssertEqual(old["hooks"] as? [String], ["on_epoch_end"])

        try requireFashionMNIST()
        let run = try trainer("train", "--epochs", "4", "--limit", "128", "--run-dir", "run", "--verbose", "0",
                              "--plugin", "OldSwift")
        XCTAssertEqual(run.status, 0, run.output)
        // Its stop request ended training after epoch 1...
        let data = try Data(contentsOf: directory.appendingPathComponent("run/history.json"))
        let history = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(history["epochs"] as? [Int], [0, 1], run.output)
        // ...and its hook saw each epoch's own loss in the logs.
        let losses = try XCTUnwrap((history["history"] as? [String: [Double]])?["loss"], "\(history)")
        // Its host->log messages: on standard error, after its id.
        let said = run.stderr.split(separator: "\n").filter { $0.hasPrefix("OldSwift: OldSwift saw epoch ") }
            .map { String($0.dropFirst("OldSwift: ".count)) }
        // Logs hold float32 values; Foundation's JSON parser can miss a 17-digit number by a few
        // units in the last place of the double, never of the float: compared as floats.
        let saidLosses = said.map { $0.split(separator: " ").last.flatMap { Double($0) }.map(Float.init) }
        XCTAssertEqual(said.map { $0.split(separator: " ").dropLast().joined(separator: " ") },
                       losses.indices.map { "OldSwift saw epoch \($0) with loss" }, run.output)
        XCTAssertEqual(saidLosses, losses.map { Float($0) }, run.output)
    }
}
