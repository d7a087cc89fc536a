import Foundation
import XCTest

/// A plugin built against an older minor version of the ABI loads and runs in this host
/// (Tests/Fixtures/abi-1.0 keeps the 1.0 header). The Swift one handles its descriptor through
/// generic code, which makes the Swift runtime register the 1.0 layout in the process.
final class OlderPluginTests: EndToEndTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/abi-1.0")

    func testASwiftPluginBuiltAgainstABI10LoadsAndRuns() throws {
        let plugins = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swiftc", "-emit-library", "-parse-as-library", "-I", Self.fixtures.path,
                           Self.fixtures.appendingPathComponent("OldSwiftPlugin.swift").path,
                           "-o", plugins.appendingPathComponent("libOldSwift.so").path]
        try build.run()
        build.waitUntilExit()
        XCTAssertEqual(build.terminationStatus, 0, "swiftc failed")

        let list = try trainer("plugins", "list", "--json")
        XCTAssertEqual(list.status, 0, list.output)
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let old = try XCTUnwrap(entries.first { $0["id"] as? String == "OldSwift" }, list.stdout)
        XCTAssertEqual(old["abi"] as? String, "1.0")
        XCTAssertEqual(old["status"] as? String, "ok")
        XCTAssertEqual(old["hooks"] as? [String], ["on_epoch_end"])

        try requireFashionMNIST()
        let run = try trainer("train", "--epochs", "1", "--limit", "128", "--run-dir", "run", "--verbose", "0",
                              "--plugin", "OldSwift")
        XCTAssertEqual(run.status, 0, run.output)
    }
}
