import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// LambdaCallback calls the functions its signatures name, with the arguments they name.
final class CallTests: XCTestCase {
    private var dir = ""
    private var library = ""
    private var output = ""
    private var fixture: FixtureLibrary!
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
        library = try buildFixtureLibrary(into: dir)
        output = dir + "/calls.txt"
        fixture = try FixtureLibrary(library)
        fixture.configure(output: output)
        plugin = try LoadedPlugin(product: "LambdaCallback")
    }

    override func tearDownWithError() throws {
        fixture?.configure(output: "")
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Creates an instance with these signatures (every value a string, as a run gives them).
    private func create(_ signatures: [String: String], host: FakeHost,
                        file: StaticString = #filePath, line: UInt = #line) throws -> UnsafeMutableRawPointer? {
        try plugin.requireInstance(host: host, signatures.mapValues(ParameterValue.string), file: file, line: line)
    }

    func testDescribesItselfWithEveryKerasHookAndLibraryDir() throws {
        XCTAssertEqual(String(cString: plugin.descriptor.pointee.id), "LambdaCallback")
        XCTAssertEqual(plugin.parameterNames, [
            "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
            "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
            "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
            "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin", "on_batch_end",
            "library_dir",
        ])
        // Every parameter is a nullable string that defaults to none.
        for i in 0..<Int(plugin.descriptor.pointee.param_count) {
            let spec = plugin.descriptor.pointee.params![i]!.pointee
            XCTAssertEqual(spec.type, trainer_value_type_t(TRAINER_VALUE_STRING))
            XCTAssertEqual(spec.default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
            XCTAssertNotEqual(spec.flags & UInt32(TRAINER_PARAM_NULLABLE), 0)
        }
        // The ABI fixes the hook table at load time, so all 14 hooks are there.
        let hooks = plugin.hooks
        XCTAssertNotNil(hooks.on_train_begin)
        XCTAssertNotNil(hooks.on_predict_batch_end)
        XCTAssertNotNil(hooks.on_test_batch_begin)
    }

    func testEpochEndPassesEpochAndALogAndANonZeroReturnStopsTraining() throws {
        fixture.configure(output: output, stopFrom: 2)
        let host = FakeHost()
        let instance = try create(["on_epoch_end": "\(library):report(i32 epoch, f64 val_loss) -> i32"], host: host)
        defer { plugin.destroy(instance) }
        for epoch in 0..<4 {
            XCTAssertEqual(plugin.call(\.on_epoch_begin, instance, epoch), statusOK)
            XCTAssertEqual(plugin.call(\.on_epoch_end, instance, epoch,
                                       [("loss", 0.5), ("val_loss", 0.25 + Double(epoch)), ("learning_rate", 0.001)]),
                           statusOK)
        }
        XCTAssertEqual(lines(of: output), ["report 0 0.25", "report 1 1.25", "report 2 2.25", "report 3 3.25"])
        XCTAssertEqual(host.stopRequests, 2, "epochs 2 and 3 returned 1")
        XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO), ["report returned 1 in on_epoch_end: stopping training"],
                       "said once")
        XCTAssertTrue(host.messages(at: TRAINER_LOG_WARNING).isEmpty)
    }

    func testBatchHooksPassTheBatchAndAnI64ReturnStops() throws {
        fixture.configure(output: output, stopFrom: 3)
        let host = FakeHost()
        let instance = try create(["on_train_batch_end": "\(library):count(i64 batch) -> i64"], host: host)
        defer { plugin.destroy(instance) }
        for batch in 0..<5 {
            plugin.call(\.on_train_batch_begin, instance, batch)
            plugin.call(\.on_train_batch_end, instance, batch, [("loss", 1)])
        }
        XCTAssertEqual(lines(of: output), (0..<5).map { "count \($0)" })
        XCTAssertEqual(host.stopRequests, 2)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO),
                       ["count returned 1000000000003 in on_train_batch_end: stopping training"])
    }

    func testFloatArgumentsAndReturnsAndVoidFunctions() throws {
        let host = FakeHost()
        let instance = try create([
            "on_test_end": "\(library):half(f32 loss) -> f32",
            "on_train_end": "\(library):note()",
            "on_train_begin": "\(library) : note ( void )",
            "on_predict_end": "\(library):twice(f64 epoch) -> f64",
        ], host: host)
        defer { plugin.destroy(instance) }
        plugin.call(\.on_train_begin, instance)
        plugin.call(\.on_test_end, instance, [("loss", 0.1), ("accuracy", 0.5)])
        plugin.call(\.on_train_end, instance)
        plugin.call(\.on_predict_end, instance)
        XCTAssertEqual(lines(of: output), [
            "note", "half 0.100000001", "note", "twice -1",
        ])
        XCTAssertEqual(host.stopRequests, 0, "float returns never stop training")
    }

    func testEpochOutsideTheEpochHooksIsTheEpochInProgress() throws {
        let host = FakeHost()
        let instance = try create([
            "on_train_batch_end": "\(library):report(i32 epoch, f64 batch) -> i32",
            "on_train_begin": "\(library):report(i32 epoch, f64 loss) -> i32",
        ], host: host)
        defer { plugin.destroy(instance) }
        plugin.call(\.on_train_begin, instance, [("loss", 9)])
        plugin.call(\.on_epoch_begin, instance, 4)
        plugin.call(\.on_train_batch_end, instance, 7)
        plugin.call(\.on_epoch_end, instance, 4)
        plugin.call(\.on_epoch_begin, instance, 5)
        plugin.call(\.on_train_batch_end, instance, 0)
        XCTAssertEqual(lines(of: output), ["report -1 9", "report 4 7", "report 5 0"])
    }

    func testAMissingLogIsNaNOrZeroWithOneWarningPerArgument() throws {
        let host = FakeHost()
        let instance = try create([
            "on_epoch_begin": "\(library):report(i32 val_accuracy, f64 val_loss) -> i32",
        ], host: host)
        defer { plugin.destroy(instance) }
        for epoch in 0..<3 { plugin.call(\.on_epoch_begin, instance, epoch) }
        plugin.call(\.on_epoch_begin, instance, 3, [("val_loss", 0.5), ("val_accuracy", 0.9)])
        XCTAssertEqual(lines(of: output), ["report 0 nan", "report 0 nan", "report 0 nan", "report 0 0.5"])
        XCTAssertEqual(host.messages(at: TRAINER_LOG_WARNING), [
            "on_epoch_begin: 'val_accuracy' is not in the logs (available: none); report gets 0 for it (said once)",
            "on_epoch_begin: 'val_loss' is not in the logs (available: none); report gets NaN for it (said once)",
        ])
    }

    func testLogValuesAreConvertedToTheArgumentTypes() throws {
        let host = FakeHost()
        let instance = try create([
            "on_test_batch_end": "\(library):wide(i32 a, i64 b, f32 c, f64 d, i32 e, i64 f, f32 g, f64 h, "
                + "i32 i, i64 batch, f32 batch, f64 batch, i32 nan, f64 nan, f32 nan, f64 epoch)",
        ], host: host)
        defer { plugin.destroy(instance) }
        plugin.call(\.on_test_batch_end, instance, 12, [
            ("a", -2.9), ("b", 1e30), ("c", 0.1), ("d", 0.1), ("e", 3e9), ("f", -1e30), ("g", 1e300),
            ("h", -0.0), ("i", 7.99), ("nan", .nan),
        ])
        XCTAssertEqual(lines(of: output), [
            "wide -2 9223372036854775807 0.100000001 0.10000000000000001 2147483647 -9223372036854775808 "
                + "inf -0 7 12 12 12 0 nan nan -1",
        ])
    }

    func testKerasAliasesForTheTrainBatchHooks() throws {
        let host = FakeHost()
        let instance = try create([
            "on_batch_begin": "\(library):count(i64 batch) -> i64",
            "on_batch_end": "\(library):report(i32 batch, f64 loss) -> i32",
        ], host: host)
        defer { plugin.destroy(instance) }
        plugin.call(\.on_train_batch_begin, instance, 1)
        plugin.call(\.on_train_batch_end, instance, 1, [("loss", 2)])
        XCTAssertEqual(lines(of: output), ["count 1", "report 1 2"])

        let error = plugin.expectCreationError([
            "on_batch_end": .string("\(library):note()"), "on_train_batch_end": .string("\(library):note()"),
        ])
        XCTAssertEqual(error, "on_batch_end is Keras's alias of on_train_batch_end: set one of them, not both")
    }

    func testHooksWithoutASignatureDoNothing() throws {
        let host = FakeHost()
        let instance = try create(["on_train_end": "", "on_epoch_end": "  "], host: host)
        defer { plugin.destroy(instance) }
        for (_, hook) in [("", \trainer_hooks_t.on_train_begin), ("", \.on_train_end), ("", \.on_test_begin),
                          ("", \.on_test_end), ("", \.on_predict_begin), ("", \.on_predict_end)] {
            XCTAssertEqual(plugin.call(hook, instance, [("loss", 1)]), statusOK)
        }
        for hook in [\trainer_hooks_t.on_epoch_begin, \.on_epoch_end, \.on_train_batch_begin, \.on_train_batch_end,
                     \.on_test_batch_begin, \.on_test_batch_end, \.on_predict_batch_begin, \.on_predict_batch_end] {
            XCTAssertEqual(plugin.call(hook, instance, 0, [("loss", 1)]), statusOK)
        }
        XCTAssertEqual(lines(of: output), [])
        XCTAssertTrue(host.messages.isEmpty)
        XCTAssertEqual(host.stopRequests, 0)
    }

    func testTwoInstancesKeepTheirOwnState() throws {
        let host1 = FakeHost(), host2 = FakeHost()
        fixture.configure(output: output, stopFrom: 0)
        let first = try create(["on_epoch_end": "\(library):report(i32 epoch, f64 x) -> i32"], host: host1)
        let second = try create(["on_train_end": "\(library):note()"], host: host2)
        defer {
            plugin.destroy(first)
            plugin.destroy(second)
        }
        plugin.call(\.on_epoch_end, first, 0)
        plugin.call(\.on_epoch_end, second, 0)
        plugin.call(\.on_train_end, second)
        XCTAssertEqual(lines(of: output), ["report 0 nan", "note"])
        XCTAssertEqual(host1.stopRequests, 1)
        XCTAssertEqual(host2.stopRequests, 0)
        XCTAssertEqual(host1.messages(at: TRAINER_LOG_WARNING).count, 1)
        XCTAssertTrue(host2.messages(at: TRAINER_LOG_WARNING).isEmpty)
    }
}
