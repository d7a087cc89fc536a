import CTrainerPlugin
import PluginTestSupport
import XCTest

/// Two Swift plugins each embed their own copy of the SDK; loaded together with RTLD_LOCAL
/// they must not share its state (the registered plugin type, the instance bookkeeping).
final class SeparateStateTests: XCTestCase {
    private typealias LiveInstances = @convention(c) () -> Int64
    private typealias PluginID = @convention(c) () -> UnsafePointer<CChar>?

    func testTwoSwiftPluginsKeepSeparateSDKState() throws {
        let history = try LoadedPlugin(product: "History")
        let progbar = try LoadedPlugin(product: "ProgbarLogger")

        // Each image answers for its own plugin, whichever entry ran last.
        let historyID = try XCTUnwrap(history.symbol("trainer_swift_sdk_plugin_id", as: PluginID.self))
        let progbarID = try XCTUnwrap(progbar.symbol("trainer_swift_sdk_plugin_id", as: PluginID.self))
        XCTAssertEqual(string(historyID()), "History")
        XCTAssertEqual(string(progbarID()), "ProgbarLogger")
        let historyCount = try XCTUnwrap(history.symbol("trainer_swift_sdk_live_instances", as: LiveInstances.self))
        let progbarCount = try XCTUnwrap(progbar.symbol("trainer_swift_sdk_live_instances", as: LiveInstances.self))
        XCTAssertNotEqual(unsafeBitCast(historyCount, to: UnsafeRawPointer.self),
                          unsafeBitCast(progbarCount, to: UnsafeRawPointer.self),
                          "the two plugins share one copy of the SDK")
        XCTAssertNotEqual(history.descriptor.pointee.create.map { unsafeBitCast($0, to: UnsafeRawPointer.self) },
                          progbar.descriptor.pointee.create.map { unsafeBitCast($0, to: UnsafeRawPointer.self) })

        let historyBefore = historyCount(), progbarBefore = progbarCount()
        let dir = try TemporaryDirectory.create()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let host = FakeHost(runDirectory: dir)

        let h1 = try history.create(host: host).get()
        let p1 = try progbar.create(host: host, ["verbose": .int(0)]).get()
        let h2 = try history.create(host: host, ["filename": .string("second.json")]).get()
        XCTAssertEqual(historyCount() - historyBefore, 2)
        XCTAssertEqual(progbarCount() - progbarBefore, 1)

        // Each create built its own plugin's type: History instances write their files.
        XCTAssertEqual(history.call(\.on_epoch_end, h1, 0, [("loss", 1.0)]), statusOK)
        XCTAssertEqual(history.call(\.on_epoch_end, h2, 0, [("loss", 2.0)]), statusOK)
        XCTAssertEqual(progbar.call(\.on_epoch_end, p1, 0, [("loss", 1.0)]), statusOK)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/history.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/second.json"))

        history.destroy(h1)
        XCTAssertEqual(historyCount() - historyBefore, 1)
        XCTAssertEqual(progbarCount() - progbarBefore, 1)
        progbar.destroy(p1)
        history.destroy(h2)
        XCTAssertEqual(historyCount(), historyBefore)
        XCTAssertEqual(progbarCount(), progbarBefore)
        XCTAssertEqual(host.messages.count, 0, "\(host.messages)")
    }
}
