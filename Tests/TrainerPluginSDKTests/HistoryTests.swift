import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// History, driven through the C ABI as the host drives it.
final class HistoryTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func epochLogs(_ e: Int) -> [(String, Double)] {
        let d = Double(e)
        return [("loss", 0.5 - 0.1 * d), ("accuracy", 0.8 + 0.05 * d),
                ("val_loss", 0.6 - 0.1 * d), ("val_accuracy", 0.75 + 0.05 * d),
                ("learning_rate", 0.001)]
    }

    private func readJSON(_ path: String) throws -> (text: String, object: [String: Any]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (String(decoding: data, as: UTF8.self), object)
    }

    private func drive(_ history: LoadedPlugin, _ instance: UnsafeMutableRawPointer?, epochs: Range<Int>,
                       afterEach: (Int) throws -> Void = { _ in }) throws {
        for e in epochs {
            XCTAssertEqual(history.call(\.on_epoch_begin, instance, e), statusOK)
            XCTAssertEqual(history.call(\.on_epoch_end, instance, e, epochLogs(e)), statusOK)
            try afterEach(e)
        }
    }

    func testWritesHistoryJSONAfterEveryEpochAndAtTrainEnd() throws {
        let history = try LoadedPlugin(product: "History")
        let host = FakeHost(runDirectory: dir, epochs: 3, steps: 1875, batchSize: 32, verbose: 1)
        let instance = try history.create(host: host).get()
        defer { history.destroy(instance) }
        let file = dir + "/history.json"

        XCTAssertEqual(history.call(\.on_train_begin, instance), statusOK)
        try drive(history, instance, epochs: 0..<3) { e in
            // Written atomically after each epoch: the file holds every finished epoch.
            let (_, object) = try self.readJSON(file)
            XCTAssertEqual(object["epochs"] as? [Int], Array(0...e))
        }
        XCTAssertEqual(history.call(\.on_train_end, instance, epochLogs(2)), statusOK)

        let (text, object) = try readJSON(file)
        XCTAssertEqual(object["epochs"] as? [Int], [0, 1, 2])
        let values = try XCTUnwrap(object["history"] as? [String: [Double]])
        XCTAssertEqual(Set(values.keys), ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        for name in values.keys {
            let expected = (0..<3).map { e in epochLogs(e).first { $0.0 == name }!.1 }
            // Foundation's JSON parser is not exact to the last bit; the text is (below).
            for (got, want) in zip(values[name]!, expected) { XCTAssertEqual(got, want, accuracy: 1e-12, name) }
            XCTAssertEqual(values[name]?.count, 3)
        }
        // Numbers are written in Swift's shortest round-trip form.
        XCTAssertTrue(text.contains("\"val_loss\": [\(0.6), \(0.5), \(0.6 - 0.2)]"), text)
        let params = try XCTUnwrap(object["params"] as? [String: Int])
        XCTAssertEqual(params["epochs"], 3)
        XCTAssertEqual(params["steps"], 1875)
        XCTAssertEqual(params["batch_size"], 32)
        XCTAssertEqual(params["verbose"], 1)
        XCTAssertEqual(params["world_size"], 1)
        // Names keep the order of the logs.
        let order = ["\"loss\"", "\"accuracy\"", "\"val_loss\"", "\"val_accuracy\"", "\"learning_rate\""]
            .map { text.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["history.json"])
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
    }

    func testMissingAndNonFiniteValuesAreNull() throws {
        let history = try LoadedPlugin(product: "History")
        let host = FakeHost(runDirectory: dir)
        let instance = try history.create(host: host, ["filename": .string("h.json")]).get()
        defer { history.destroy(instance) }
        history.call(\.on_epoch_end, instance, 0, [("loss", 1.0)])
        history.call(\.on_epoch_end, instance, 1, [("loss", .nan), ("val_loss", 2.0)])
        history.call(\.on_train_end, instance, [("loss", .nan), ("val_loss", 2.0)])
        let (_, object) = try readJSON(dir + "/h.json")
        let values = try XCTUnwrap(object["history"] as? [String: [Any]])
        XCTAssertEqual(values["loss"]?.count, 2)
        XCTAssertEqual(values["loss"]?[0] as? Double, 1.0)
        XCTAssertTrue(values["loss"]?[1] is NSNull)
        XCTAssertTrue(values["val_loss"]?[0] is NSNull)
        XCTAssertEqual(values["val_loss"]?[1] as? Double, 2.0)
    }

    func testSavedStateContinuesAResumedRun() throws {
        let history = try LoadedPlugin(product: "History")
        let first = FakeHost(runDirectory: dir, epochs: 4)
        let a = try history.create(host: first).get()
        try drive(history, a, epochs: 0..<2)
        let state = try XCTUnwrap(history.saveState(a))
        history.destroy(a)

        let resumedDir = dir + "/resumed"
        try FileManager.default.createDirectory(atPath: resumedDir, withIntermediateDirectories: true)
        let second = FakeHost(runDirectory: resumedDir, epochs: 4)
        let b = try history.create(host: second).get()
        defer { history.destroy(b) }
        XCTAssertEqual(history.loadState(b, state), statusOK)
        try drive(history, b, epochs: 2..<4)
        history.call(\.on_train_end, b, epochLogs(3))
        let (_, object) = try readJSON(resumedDir + "/history.json")
        XCTAssertEqual(object["epochs"] as? [Int], [0, 1, 2, 3])
        XCTAssertEqual((object["history"] as? [String: [Double]])?["loss"]?.count, 4)

        // Damaged state is an error logged through the host, not a crash.
        XCTAssertEqual(history.loadState(b, Array(state.prefix(state.count / 2))), statusError)
        XCTAssertEqual(second.messages(at: TRAINER_LOG_ERROR).count, 1)
        XCTAssertTrue(second.messages(at: TRAINER_LOG_ERROR)[0].hasPrefix("load_state failed:"),
                      "\(second.messages)")
    }

    func testErrorThrownByAHookIsLoggedAndReturned() throws {
        let history = try LoadedPlugin(product: "History")
        let host = FakeHost(runDirectory: dir + "/does-not-exist")
        let instance = try history.create(host: host).get()
        defer { history.destroy(instance) }

        XCTAssertEqual(history.call(\.on_epoch_end, instance, 0, epochLogs(0)), statusError)
        let errors = host.messages(at: TRAINER_LOG_ERROR)
        XCTAssertEqual(errors.count, 1, "\(host.messages)")
        XCTAssertTrue(errors[0].hasPrefix("on_epoch_end failed: "), errors[0])
        XCTAssertTrue(errors[0].contains("does-not-exist/history.json"), errors[0])
        XCTAssertTrue(errors[0].contains("No such file or directory"), errors[0])

        XCTAssertEqual(history.call(\.on_train_end, instance, epochLogs(0)), statusError)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_ERROR).count, 2)
    }

    func testErrorThrownByInitComesBackThroughTheErrorBuffer() throws {
        let history = try LoadedPlugin(product: "History")
        let host = FakeHost(runDirectory: dir)
        switch history.create(host: host, ["filename": .string("")]) {
        case .success: XCTFail("an empty filename was accepted")
        case .failure(let error): XCTAssertEqual(error.description, "filename must name a file, got ''")
        }
        host.failRunParameters = true
        switch history.create(host: host) {
        case .success: XCTFail("created without run parameters")
        case .failure(let error): XCTAssertEqual(error.description, "the host could not give run parameters")
        }
    }
}
