import Foundation
import PluginTestSupport
import XCTest

/// Every case recorded from the real Keras callbacks (`../shared/keras-parity/`) is fed through
/// the real plugin `.so` by `trainer replay --cases`, and must get Keras's decisions: the same
/// epochs, stops, restores and files, and learning rates within 1e-6 relative (Keras holds
/// them in float32).
final class KerasParityTests: XCTestCase {
    static let cases = URL(fileURLWithPath: Repository.root).deletingLastPathComponent()
        .appendingPathComponent("shared/keras-parity")

    static let productsDirectory = URL(fileURLWithPath: Products.directory)

    func testEarlyStopping() throws { try check("EarlyStopping") }
    func testReduceLROnPlateau() throws { try check("ReduceLROnPlateau") }
    func testLearningRateScheduler() throws { try check("LearningRateScheduler") }
    func testModelCheckpoint() throws { try check("ModelCheckpoint") }
    func testTerminateOnNaN() throws { try check("TerminateOnNaN") }
    func testCSVLogger() throws { try check("CSVLogger") }

    func check(_ callback: String) throws {
        let file = Self.cases.appendingPathComponent("\(callback).jsonl")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw XCTSkip("no recorded cases at \(file.path)")
        }
        let expected = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let answers = try replay(file)
        XCTAssertEqual(answers.count, expected.count, "one answer per case")
        for (index, (recorded, answer)) in zip(expected, answers).enumerated() {
            let expect = try XCTUnwrap(recorded["expect"] as? [String: Any])
            if let error = answer["error"] {
                XCTFail("\(callback) case \(index + 1): \(error)")
                continue
            }
            XCTAssertEqual(Set(answer.keys), Set(expect.keys), "\(callback) case \(index + 1)")
            for (key, value) in expect {
                XCTAssertTrue(same(value, answer[key] as Any, key: key),
                              "\(callback) case \(index + 1), \(key): Keras \(value), plugin \(answer[key] ?? "nothing")\n  params: \(recorded["params"] ?? "")")
            }
        }
    }

    func replay(_ file: URL) throws -> [[String: Any]] {
        let trainer = Self.productsDirectory.appendingPathComponent("trainer")
        guard FileManager.default.isExecutableFile(atPath: trainer.path) else {
            throw XCTSkip("trainer is not built at \(trainer.path); run `swift build` first")
        }
        let result = try ChildProcess.run([trainer.path, "replay", "--cases", file.path],
                                          in: FileManager.default.temporaryDirectory.path,
                                          environment: ["TRAINER_PLUGIN_PATH": nil], errors: .discarded)
        return try result.output.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    /// Numbers compare within 1e-6 relative for rates, exactly otherwise; structures element-wise.
    func same(_ a: Any, _ b: Any, key: String) -> Bool {
        switch (a, b) {
        case (is NSNull, is NSNull): return true
        case let (x as String, y as String): return x == y
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1, key: key) }
        case let (x as [String: Any], y as [String: Any]):
            return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!, key: key) }
        case let (x as NSNumber, y as NSNumber):
            let (p, q) = (x.doubleValue, y.doubleValue)
            if key.contains("lr") { return abs(p - q) <= 1e-6 * max(abs(p), abs(q)) }
            return p == q
        default:
            return false
        }
    }
}
