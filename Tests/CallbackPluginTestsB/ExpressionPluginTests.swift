import Foundation
import PluginTestSupport
import XCTest

/// LearningRateScheduler and StopWhen: expressions parsed at creation, evaluated at the hooks.
final class ExpressionPluginTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try TemporaryDirectory.create() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    // MARK: LearningRateScheduler

    func testScheduleSetsTheRateAtEachEpochBeginWithKerasMessage() throws {
        let host = FakeHost(runDirectory: dir)
        host.learningRate = 0.1
        let scheduler = try LoadedPlugin(product: "LearningRateScheduler")
            .createInstance(host: host, ["schedule": .string("epoch < 2 ? lr : lr * 0.5"), "verbose": .int(1)]).get()
        XCTAssertEqual(scheduler.trainBegin(), statusOK)
        var rates: [Float] = []
        for epoch in 0..<4 {
            XCTAssertEqual(scheduler.epochBegin(epoch), statusOK)
            rates.append(Float(host.learningRate))
        }
        XCTAssertEqual(rates, [0.1, 0.1, 0.05, 0.025])
        // The rate is read back from float32 storage, and printed as Python prints the float.
        XCTAssertEqual(host.info.first, "Epoch 1: LearningRateScheduler setting learning rate to 0.10000000149011612.")
        XCTAssertEqual(host.info.last, "Epoch 4: LearningRateScheduler setting learning rate to 0.02500000037252903.")
    }

    func testInitialRateIsTheRateWhenTrainingBeganAndSurvivesAResume() throws {
        let host = FakeHost(runDirectory: dir)
        host.learningRate = 0.2
        let settings: [String: ParameterValue] = ["schedule": .string("initial_lr * pow(0.5, floor(epoch / 2))")]
        let plugin = try LoadedPlugin(product: "LearningRateScheduler")
        let first = try plugin.createInstance(host: host, settings).get()
        first.trainBegin()
        first.epochBegin(0)
        first.epochBegin(1)
        first.epochBegin(2)
        XCTAssertEqual(Float(host.learningRate), 0.1)
        let state = try XCTUnwrap(first.saveState())

        let resumed = try plugin.createInstance(host: host, settings).get()
        XCTAssertEqual(resumed.loadState(state), statusOK)
        resumed.trainBegin()           // the rate is 0.1 now, but initial_lr stays 0.2
        resumed.epochBegin(4)
        XCTAssertEqual(Float(host.learningRate), 0.05)
        XCTAssertEqual(resumed.saveState(), state)
        XCTAssertEqual(resumed.loadState([1, 2, 3]), statusError)
    }

    func testBadSchedulesAreRefusedAtCreationWithTheColumn() throws {
        let plugin = try LoadedPlugin(product: "LearningRateScheduler")
        let host = FakeHost(runDirectory: dir)
        XCTAssertEqual(plugin.creationError(host: host, ["schedule": .string("lr * * 2")]),
                       "schedule: column 6: expected a number, a name or '(', found '*'")
        XCTAssertEqual(plugin.creationError(host: host, ["schedule": .string("max(lr, 0.5")]),
                       "schedule: column 12: expected ',' or ')' in the arguments of max, found end of expression")
        XCTAssertEqual(plugin.creationError(host: host, ["schedule": .string("lr * decay")]),
                       "schedule: column 6: unknown name 'decay' (known: epoch, initial_lr, lr, pi, e)")
        XCTAssertEqual(plugin.creationError(host: host, [:]),
                       "schedule: required: an expression over epoch, lr and initial_lr, e.g. \"epoch < 10 ? lr : lr * exp(-0.1)\"")
    }

    func testANegativeOrNonFiniteRateFailsTheRun() throws {
        let plugin = try LoadedPlugin(product: "LearningRateScheduler")
        for (schedule, shown) in [("lr - 1", "-0.5"), ("log(epoch - 1)", "nan"), ("lr / epoch", "inf")] {
            let host = FakeHost(runDirectory: dir)
            host.learningRate = 0.5
            let scheduler = try plugin.createInstance(host: host, ["schedule": .string(schedule)]).get()
            scheduler.trainBegin()
            XCTAssertEqual(scheduler.epochBegin(0), statusError, schedule)
            XCTAssertEqual(host.learningRateRequests, [], "nothing is set")
            let message = try XCTUnwrap(host.errors.first)
            XCTAssertTrue(message.hasPrefix("on_epoch_begin failed: the schedule \"\(schedule)\" gave learning rate \(shown) at epoch 0"), message)
            XCTAssertTrue(message.hasSuffix("a learning rate must be a finite number >= 0"), message)
        }
    }

    // MARK: StopWhen

    private func stopWhen(_ condition: String, verbose: Int = 1) throws -> PluginInstance {
        try LoadedPlugin(product: "StopWhen")
            .createInstance(host: FakeHost(runDirectory: dir), ["condition": .string(condition), "verbose": .int(Int64(verbose))]).get()
    }

    func testStopsAtTheFirstEpochWhereTheConditionHolds() throws {
        let stop = try stopWhen("accuracy > 0.98 && val_loss < 0.3")
        let epochs: [[(String, Double)]] = [
            [("accuracy", 0.99), ("val_loss", 0.4)],
            [("accuracy", 0.97), ("val_loss", 0.2)],
            [("accuracy", 0.985), ("val_loss", 0.25)],
        ]
        for (epoch, logs) in epochs.enumerated() { XCTAssertEqual(stop.epochEnd(epoch, logs), statusOK) }
        XCTAssertEqual(stop.host.stopRequests, 1)
        XCTAssertEqual(stop.host.reports["stopped_epoch"], 2)
        XCTAssertEqual(stop.host.info, ["Epoch 3: accuracy > 0.98 && val_loss < 0.3 holds, stopping training"])
    }

    func testEpochIsTheZeroBasedEpochAndVerboseZeroIsQuiet() throws {
        let stop = try stopWhen("epoch >= 2 || loss != loss", verbose: 0)
        stop.epochEnd(0, [("loss", 1)])
        stop.epochEnd(1, [("loss", 1)])
        XCTAssertEqual(stop.host.stopRequests, 0)
        stop.epochEnd(2, [("loss", 1)])
        XCTAssertEqual(stop.host.stopRequests, 1)
        XCTAssertTrue(stop.host.messages.isEmpty)

        let nan = try stopWhen("loss != loss", verbose: 0)
        nan.epochEnd(0, [("loss", .nan)])
        XCTAssertEqual(nan.host.stopRequests, 1)
    }

    func testMissingNamesWarnOnceAndCountAsFalse() throws {
        let stop = try stopWhen("val_accuracy > 0.9")
        for epoch in 0..<3 { XCTAssertEqual(stop.epochEnd(epoch, [("loss", 0.1), ("accuracy", 0.95)]), statusOK) }
        XCTAssertEqual(stop.host.stopRequests, 0)
        XCTAssertEqual(stop.host.warnings, [
            "the condition \"val_accuracy > 0.9\" uses 'val_accuracy', which the logs of epoch 1 do not have "
                + "(they have: loss, accuracy); the condition counts as false while it is missing",
        ])
        XCTAssertEqual(stop.epochEnd(3, [("val_accuracy", 0.95)]), statusOK)
        XCTAssertEqual(stop.host.stopRequests, 1)
    }

    func testBadConditionsAreRefusedAtCreationWithTheColumn() throws {
        let plugin = try LoadedPlugin(product: "StopWhen")
        let host = FakeHost(runDirectory: dir)
        XCTAssertEqual(plugin.creationError(host: host, ["condition": .string("accuracy > 0.98 && (val_loss < 0.3")]),
                       "condition: column 35: expected ')', found end of expression")
        XCTAssertEqual(plugin.creationError(host: host, ["condition": .string("accuracy => 0.9")]),
                       "condition: column 10: unexpected '=' (use '==' to compare)")
        XCTAssertEqual(plugin.creationError(host: host, ["condition": .string("0.9 < accuracy < 1")]),
                       "condition: column 16: comparisons do not chain: use '&&' or parentheses")
        XCTAssertEqual(plugin.creationError(host: host, ["condition": .string("tanh(loss) < 0.1")]),
                       "condition: column 1: unknown function 'tanh' (functions: exp, log, sqrt, pow, floor, ceil, abs, min, max, cos, sin)")
        XCTAssertNotNil(plugin.creationError(host: host, [:]))
    }
}
