import CTrainerPlugin
import PluginTestSupport
import XCTest

/// TerminateOnNaN through the C ABI.
final class TerminateOnNaNTests: XCTestCase {
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        plugin = try LoadedPlugin(product: "TerminateOnNaN")
    }

    func testOnlyTheBatchHookAndKerasParameter() {
        XCTAssertEqual(plugin.specs.map(SpecSummary.init), [SpecSummary("raise_error", boolType, "false")])
        XCTAssertNotNil(plugin.hooks.on_train_batch_end)
        XCTAssertNil(plugin.hooks.on_epoch_end)
        XCTAssertNil(plugin.hooks.on_train_batch_begin)
        XCTAssertNil(plugin.descriptor.pointee.save_state, "no state to save")
    }

    func testStopsOnNaNOrInfiniteLossWithKerasMessage() throws {
        for bad in [Double.nan, .infinity, -.infinity] {
            let host = FakeHost()
            let nan = try plugin.createInstance(host: host).get()
            defer { nan.destroy() }
            XCTAssertEqual(nan.batchEnd(0, [("loss", 0.5), ("accuracy", 0.4)]), statusOK)
            XCTAssertEqual(nan.batchEnd(1, [("accuracy", 0.4)]), statusOK, "no loss: nothing to check")
            XCTAssertEqual(host.stopRequests, 0)
            XCTAssertEqual(nan.batchEnd(7, [("loss", bad), ("accuracy", 0.4)]), statusOK)
            XCTAssertEqual(host.stopRequests, 1, "\(bad)")
            XCTAssertEqual(host.info, ["Batch 7: Invalid loss, terminating training"])
        }
    }

    func testRaiseErrorFailsTheRun() throws {
        let host = FakeHost()
        let nan = try plugin.createInstance(host: host, ["raise_error": .bool(true)]).get()
        defer { nan.destroy() }
        XCTAssertEqual(nan.batchEnd(3, [("loss", .nan)]), statusError)
        XCTAssertEqual(host.stopRequests, 0)
        XCTAssertEqual(host.errors.count, 1)
        XCTAssertTrue(host.errors[0].contains("NaN or Inf loss encountered at batch 3. Loss value: nan. "
                                              + "Terminating training immediately."), host.errors[0])
    }
}
