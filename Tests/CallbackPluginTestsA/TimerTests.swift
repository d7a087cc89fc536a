import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// Timer through the C ABI, on the real (monotonic) clock with short budgets.
final class TimerTests: XCTestCase {
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        plugin = try LoadedPlugin(product: "Timer")
    }

    /// A saved Timer state (version 1): little-endian Int64 version, then the elapsed seconds.
    private func state(elapsed: Double) -> [UInt8] {
        withUnsafeBytes(of: Int64(1).littleEndian, Array.init)
            + withUnsafeBytes(of: elapsed.bitPattern.littleEndian, Array.init)
    }

    func testSchemaFollowsLightning() {
        XCTAssertEqual(plugin.specs.map(SpecSummary.init), [
            SpecSummary("duration", stringType, "none"),
            SpecSummary("interval", stringType, "\"step\""),
            SpecSummary("verbose", boolType, "true"),
        ])
        XCTAssertEqual(string(plugin.specs[1].choices), "step|epoch")
    }

    func testDurationFormats() throws {
        for good in ["00:00:00:01", "1:02:03:04", " 00:12:00:00 ", "01:00:00", "100:00:00"] {
            XCTAssertNoThrow(try plugin.createInstance(host: FakeHost(), ["duration": .string(good)]).get().destroy(), good)
        }
        for bad in ["", "1", "00:00", "00:00:1", "00:00:00:00:00", "aa:00:00:00", "00:-1:00:00", "1.5:00:00"] {
            XCTAssertThrowsError(try plugin.createInstance(host: FakeHost(), ["duration": .string(bad)]).get(), bad) { error in
                XCTAssertTrue("\(error)".contains("is not a valid duration"), "\(error)")
                XCTAssertTrue("\(error)".contains("DD:HH:MM:SS"), "\(error)")
            }
        }
    }

    func testStopsOnceTheBudgetIsSpentCheckingEveryStep() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host, ["duration": .string("00:00:00:01")]).get()
        defer { timer.destroy() }
        XCTAssertEqual(timer.trainBegin(), statusOK)
        XCTAssertEqual(timer.batchEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
        Thread.sleep(forTimeInterval: 1.05)
        XCTAssertEqual(timer.batchEnd(1, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 1)
        XCTAssertEqual(host.info, ["Time limit reached. Elapsed time is 0:00:01. Signaling Trainer to stop."])
        XCTAssertEqual(timer.epochEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(timer.trainEnd(), statusOK)
        let elapsed = try XCTUnwrap(host.reports["elapsed_seconds"])
        XCTAssertGreaterThanOrEqual(elapsed, 1)
        XCTAssertLessThan(elapsed, 30)
    }

    func testEpochIntervalChecksOnlyAtEpochEnd() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host, ["duration": .string("00:00:01"), "interval": .string("epoch"),
                                                           "verbose": .bool(false)]).get()
        defer { timer.destroy() }
        XCTAssertEqual(timer.trainBegin(), statusOK)
        Thread.sleep(forTimeInterval: 1.05)
        XCTAssertEqual(timer.batchEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 0, "batches are not checked with interval epoch")
        XCTAssertEqual(timer.epochEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 1)
        XCTAssertTrue(host.info.isEmpty, "verbose false")
    }

    func testWithoutDurationItOnlyMeasures() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host).get()
        defer { timer.destroy() }
        XCTAssertEqual(timer.loadState(state(elapsed: 1e6)), statusOK)
        XCTAssertEqual(timer.trainBegin(), statusOK)
        XCTAssertEqual(timer.batchEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(timer.trainEnd(), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(host.reports["elapsed_seconds"]), 1e6)
    }

    func testSavedElapsedTimeRoundTripsAndCountsAgainstTheBudget() throws {
        // A run that measured some time saves it...
        let firstHost = FakeHost()
        let first = try plugin.createInstance(host: firstHost, ["duration": .string("00:00:00:05")]).get()
        XCTAssertEqual(first.trainBegin(), statusOK)
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(first.trainEnd(), statusOK)
        let saved = try XCTUnwrap(first.saveState())
        first.destroy()
        let measured = try XCTUnwrap(firstHost.reports["elapsed_seconds"])
        XCTAssertEqual(saved, state(elapsed: measured), "version 1, then the elapsed seconds")

        // ...and a resumed run starts from it: the state is given back unchanged before training.
        let secondHost = FakeHost()
        let second = try plugin.createInstance(host: secondHost, ["duration": .string("00:00:00:05")]).get()
        defer { second.destroy() }
        XCTAssertEqual(second.loadState(saved), statusOK)
        XCTAssertEqual(second.saveState(), saved)

        // A budget already spent stops the resumed run as training begins (Lightning checks
        // at fit start whatever the interval).
        XCTAssertEqual(second.loadState(state(elapsed: 90_061)), statusOK)
        XCTAssertEqual(second.trainBegin(), statusOK)
        XCTAssertEqual(secondHost.stopRequests, 1)
        XCTAssertEqual(secondHost.info, ["Time limit reached. Elapsed time is 1 day, 1:01:01. Signaling Trainer to stop."])
    }

    func testDamagedStateIsRefused() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host).get()
        defer { timer.destroy() }
        let good = state(elapsed: 3)
        XCTAssertEqual(timer.loadState(Array(good.prefix(12))), statusError)
        XCTAssertEqual(timer.loadState(good + [0]), statusError)
        XCTAssertEqual(timer.loadState(state(elapsed: -1)), statusError)
        XCTAssertEqual(timer.loadState(state(elapsed: .nan)), statusError)
        var otherVersion = good
        otherVersion[0] = 9
        XCTAssertEqual(timer.loadState(otherVersion), statusError)
        XCTAssertEqual(timer.loadState(good), statusOK)
    }
}
