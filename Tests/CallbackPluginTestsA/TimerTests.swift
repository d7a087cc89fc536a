import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// Timer through the C ABI. No test waits for the clock: a test that needs time spent loads a
/// saved state whose elapsed time is at the budget or under it, as a resumed run does, so that
/// the state, not how long the test takes, decides whether a check stops training.
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

    /// A budget of one hour (3600 s), for the tests that resume near it.
    private let oneHour: [String: ParameterValue] = ["duration": .string("01:00:00")]

    func testAResumedRunUnderTheBudgetIsNotStopped() throws {
        for interval in ["step", "epoch"] {
            let host = FakeHost()
            let timer = try plugin.createInstance(host: host, oneHour.merging(["interval": .string(interval)]) { $1 }).get()
            defer { timer.destroy() }
            // A minute under the budget: the calls below take far less than that.
            XCTAssertEqual(timer.loadState(state(elapsed: 3540)), statusOK)
            XCTAssertEqual(timer.trainBegin(), statusOK)
            for batch in 0..<3 {
                XCTAssertEqual(timer.batchEnd(batch, [("loss", 1)]), statusOK)
            }
            XCTAssertEqual(timer.epochEnd(0, [("loss", 1)]), statusOK)
            XCTAssertEqual(timer.trainEnd(), statusOK)
            XCTAssertEqual(host.stopRequests, 0, interval)
            XCTAssertEqual(host.info, [], interval)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(host.reports["elapsed_seconds"]), 3540, "the saved time counts")
        }
    }

    func testStopsOnceTheBudgetIsSpentCheckingEveryStep() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host, oneHour).get()
        defer { timer.destroy() }
        // At the budget: spent (elapsed >= duration), and shown as 1:00:00 unless a whole second
        // passes between these calls.
        XCTAssertEqual(timer.loadState(state(elapsed: 3600)), statusOK)
        XCTAssertEqual(timer.trainBegin(), statusOK)
        XCTAssertEqual(host.stopRequests, 1, "checked as training begins")
        XCTAssertEqual(host.info, ["Time limit reached. Elapsed time is 1:00:00. Signaling Trainer to stop."])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(host.reports["elapsed_seconds"]), 3600)
        // Every later batch checks again and asks again (Lightning sets should_stop at each
        // check); the message is said once.
        XCTAssertEqual(timer.batchEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(timer.batchEnd(1, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 3)
        XCTAssertEqual(timer.epochEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 3, "epoch ends are not checked with interval step")
        XCTAssertEqual(host.info.count, 1)
        XCTAssertEqual(timer.trainEnd(), statusOK)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(host.reports["elapsed_seconds"]), 3600)
    }

    func testEpochIntervalChecksOnlyAtEpochEnd() throws {
        let host = FakeHost()
        let timer = try plugin.createInstance(host: host, ["duration": .string("00:01:00:00"), "interval": .string("epoch"),
                                                           "verbose": .bool(false)]).get()
        defer { timer.destroy() }
        XCTAssertEqual(timer.loadState(state(elapsed: 3600)), statusOK)
        XCTAssertEqual(timer.trainBegin(), statusOK)
        XCTAssertEqual(host.stopRequests, 1, "checked as training begins whatever the interval")
        for batch in 0..<3 {
            XCTAssertEqual(timer.batchEnd(batch, [("loss", 1)]), statusOK)
        }
        XCTAssertEqual(host.stopRequests, 1, "batches are not checked with interval epoch")
        XCTAssertEqual(timer.epochEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(host.stopRequests, 2)
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
        XCTAssertEqual(first.batchEnd(0, [("loss", 1)]), statusOK)
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
