import Foundation
import PluginTestSupport
import XCTest

/// Every case recorded from the real Keras callbacks (`Tests/Fixtures/keras-parity/`, see its
/// README) is fed through the real plugin `.so` by `trainer replay --cases`, and must get Keras's
/// decisions: the same epochs, stops, restores and files, and learning rates within 1e-6
/// relative (Keras holds them in float32). The replay must exit 0, and what it prints on
/// standard error must be the plugin's own messages, as many as Keras printed.
final class KerasParityTests: XCTestCase {
    static let cases = URL(fileURLWithPath: Repository.fixtures).appendingPathComponent("keras-parity")

    static let productsDirectory = URL(fileURLWithPath: Products.directory)

    func testEarlyStopping() throws { try check("EarlyStopping") }
    func testReduceLROnPlateau() throws { try check("ReduceLROnPlateau") }
    func testLearningRateScheduler() throws { try check("LearningRateScheduler") }
    func testModelCheckpoint() throws { try check("ModelCheckpoint") }
    func testTerminateOnNaN() throws { try check("TerminateOnNaN") }
    func testCSVLogger() throws { try check("CSVLogger") }

    func check(_ callback: String) throws {
        let file = Self.cases.appendingPathComponent("\(callback).jsonl")
        let expected = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        XCTAssertGreaterThanOrEqual(expected.count, 10, "the fixture holds the recorded cases")
        let (answers, messages) = try replay(file)
        XCTAssertEqual(answers.count, expected.count, "one answer per case")
        for message in messages {
            XCTAssertTrue(message.hasPrefix("\(callback): ") || message.hasPrefix("warning: \(callback): "),
                          "standard error holds only the plugin's messages: \(message)")
        }
        XCTAssertEqual(messages.count, try expectedMessages(callback, cases: expected),
                       "one message where Keras prints one:\n\(messages.joined(separator: "\n"))")
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

    /// Runs `trainer replay --cases FILE`: its answers (one JSON object per case) and the lines
    /// it wrote on standard error. A status other than 0 fails the test.
    func replay(_ file: URL) throws -> (answers: [[String: Any]], messages: [String]) {
        let trainer = Self.productsDirectory.appendingPathComponent("trainer")
        guard FileManager.default.isExecutableFile(atPath: trainer.path) else {
            throw XCTSkip("trainer is not built at \(trainer.path); run `swift build` first")
        }
        let result = try ChildProcess.run([trainer.path, "replay", "--cases", file.path],
                                          in: FileManager.default.temporaryDirectory.path,
                                          environment: ["TRAINER_PLUGIN_PATH": nil])
        XCTAssertEqual(result.status, 0, result.errors)
        let answers = try result.output.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        return (answers, result.errors.split(separator: "\n").map(String.init))
    }

    /// How many messages Keras prints for the cases: a warning for every epoch that ran whose
    /// logs lack the monitored key (EarlyStopping, ReduceLROnPlateau), a line for every
    /// termination (TerminateOnNaN), none for the others.
    func expectedMessages(_ callback: String, cases: [[String: Any]]) throws -> Int {
        try cases.reduce(0) { count, recorded in
            let expect = try XCTUnwrap(recorded["expect"] as? [String: Any])
            let epochs = recorded["epochs"] as? [[String: Any]] ?? []
            let monitor = (recorded["params"] as? [String: Any])?["monitor"] as? String ?? "val_loss"
            switch callback {
            case "EarlyStopping":
                let ran = try XCTUnwrap(expect["epochs_run"] as? Int)
                return count + epochs.prefix(ran).filter { $0[monitor] == nil }.count
            case "ReduceLROnPlateau":
                return count + epochs.filter { $0[monitor] == nil }.count
            case "TerminateOnNaN":
                return count + (expect["stopped_at"] is NSNull ? 0 : 1)
            default:
                return count
            }
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
