import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// The C fixtures in Tests/Fixtures build with plain cc and are what their README says, so the
/// host's tests can rely on them.
final class FixtureTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func build(_ name: String, defines: [String] = [], as output: String? = nil) throws -> String {
        try CCompiler.buildPlugin(Repository.fixtures + "/\(name).c", into: dir,
                                  name: output ?? name, defines: defines)
    }

    func testBrokenFixturesAreBrokenAsDocumented() throws {
        let noEntry = try build("no_entry")
        let handle = try XCTUnwrap(dlopen(noEntry, RTLD_NOW | RTLD_LOCAL))
        XCTAssertNil(dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL))

        let wrongMajor = try LoadedPlugin(build("wrong_major"))
        XCTAssertEqual(wrongMajor.descriptor.pointee.abi.major, 999)

        let small = try LoadedPlugin(build("small_struct"))
        XCTAssertEqual(small.descriptor.pointee.struct_size, 8)

        XCTAssertEqual(try LoadedPlugin(build("bad_id")).id, "bad id/!")
        XCTAssertEqual(try LoadedPlugin(build("bad_id", defines: ["BAD_ID_EMPTY"], as: "bad_id_empty")).id, "")

        let a = try LoadedPlugin(build("duplicate", as: "duplicate_a"))
        let b = try LoadedPlugin(build("duplicate", defines: ["COPY_B"], as: "duplicate_b"))
        XCTAssertEqual(a.id, "Duplicate")
        XCTAssertEqual(b.id, "Duplicate")
        XCTAssertNotEqual(string(a.descriptor.pointee.name), string(b.descriptor.pointee.name))
    }

    func testNoopFixtures() throws {
        let noop = try LoadedPlugin(build("noop"))
        XCTAssertEqual(noop.providedHooks, [])
        let every = try LoadedPlugin(build("every_hook_noop"))
        XCTAssertEqual(every.providedHooks.count, 14)
        let host = FakeHost()
        let instance = try every.create(host: host).get()
        XCTAssertEqual(every.call(\.on_train_batch_end, instance, 0, [("loss", 1)]), statusOK)
        every.destroy(instance)
    }

    func testRecorderWritesOneLinePerHookCall() throws {
        let recorder = try LoadedPlugin(build("recorder"))
        XCTAssertEqual(recorder.providedHooks.count, 14)
        let log = dir + "/calls.log"
        let host = FakeHost(runDirectory: dir)
        let instance = try recorder.create(host: host, ["path": .string(log)]).get()
        recorder.call(\.on_train_begin, instance)
        recorder.call(\.on_epoch_begin, instance, 0)
        recorder.call(\.on_train_batch_begin, instance, 0)
        recorder.call(\.on_train_batch_end, instance, 0, [("loss", 0.5)])
        recorder.call(\.on_test_begin, instance)
        recorder.call(\.on_test_batch_begin, instance, 0)
        recorder.call(\.on_test_batch_end, instance, 0)
        recorder.call(\.on_test_end, instance)
        recorder.call(\.on_epoch_end, instance, 0)
        recorder.call(\.on_train_end, instance)
        recorder.destroy(instance)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), """
            on_train_begin
            on_epoch_begin 0
            on_train_batch_begin 0
            on_train_batch_end 0
            on_test_begin
            on_test_batch_begin 0
            on_test_batch_end 0
            on_test_end
            on_epoch_end 0
            on_train_end

            """)

        // A relative path lands in the run directory; with_logs adds the values; fail_at fails.
        let failing = try recorder.create(host: host, [
            "path": .string("relative.log"), "with_logs": .bool(true), "fail_at": .string("on_epoch_end"),
        ]).get()
        XCTAssertEqual(recorder.call(\.on_epoch_end, failing, 3, [("loss", 0.25)]), statusError)
        recorder.destroy(failing)
        XCTAssertEqual(try String(contentsOfFile: dir + "/relative.log", encoding: .utf8),
                       "on_epoch_end 3 loss=0.25\n")
        XCTAssertEqual(host.messages(at: TRAINER_LOG_ERROR), ["failing at on_epoch_end as asked (fail_at)"])
    }
}
