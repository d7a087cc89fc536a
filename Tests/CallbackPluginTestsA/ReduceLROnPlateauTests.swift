import CTrainerPlugin
import PluginTestSupport
import XCTest

/// ReduceLROnPlateau through the C ABI: parameter checks, messages, rates and saved state.
final class ReduceLROnPlateauTests: XCTestCase {
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        plugin = try LoadedPlugin(product: "ReduceLROnPlateau")
    }

    /// Feeds val_loss values from epoch `first` on; returns the rate at each epoch's start.
    @discardableResult
    private func train(_ instance: PluginInstance, _ host: FakeHost, _ values: [Double], from first: Int = 0) -> [Float] {
        var rates: [Float] = []
        for (offset, value) in values.enumerated() {
            rates.append(Float(host.learningRate))
            XCTAssertEqual(instance.epochEnd(first + offset, [("loss", 1), ("val_loss", value),
                                                               ("learning_rate", host.learningRate)]), statusOK)
        }
        return rates
    }

    func testSchemaHasKerasNamesAndDefaults() {
        XCTAssertEqual(plugin.id, "ReduceLROnPlateau")
        XCTAssertEqual(plugin.specs.map(SpecSummary.init), [
            SpecSummary("monitor", stringType, "\"val_loss\""),
            SpecSummary("factor", doubleType, "0.1"),
            SpecSummary("patience", intType, "10"),
            SpecSummary("verbose", intType, "0"),
            SpecSummary("mode", stringType, "\"auto\""),
            SpecSummary("min_delta", doubleType, "0.0001"),
            SpecSummary("cooldown", intType, "0"),
            SpecSummary("min_lr", doubleType, "0.0"),
        ])
        XCTAssertNil(plugin.hooks.on_train_batch_end, "no per-batch cost")
    }

    func testFactorOfOneOrMoreIsRefusedWithKerasMessage() {
        for factor in [1.0, 2.5] {
            XCTAssertThrowsError(try plugin.createInstance(host: FakeHost(), ["factor": .double(factor)]).get()) { error in
                XCTAssertEqual("\(error)", "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(factor)")
            }
        }
        XCTAssertNoThrow(try plugin.createInstance(host: FakeHost(), ["factor": .double(0.999)]).get().destroy())
    }

    func testReducesAfterPatienceWithKerasMessageAndFloat32Rates() throws {
        let host = FakeHost()
        host.learningRate = 0.001
        let rlr = try plugin.createInstance(host: host, ["factor": .double(0.5), "patience": .int(2), "verbose": .int(1)]).get()
        defer { rlr.destroy() }
        XCTAssertEqual(rlr.trainBegin(), statusOK)
        let rates = train(rlr, host, [1.0, 0.9, 0.95, 0.92, 0.93, 0.94])
        XCTAssertEqual(rates, [0.001, 0.001, 0.001, 0.001, 0.0005, 0.0005])
        XCTAssertEqual(Float(host.learningRate), 0.00025)
        // Keras computes in double from the float32 rate and prints Python's repr of it.
        XCTAssertEqual(host.info, [
            "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.",
            "Epoch 6: ReduceLROnPlateau reducing learning rate to 0.0002500000118743628.",
        ])
    }

    func testCooldownAndMinLR() throws {
        let host = FakeHost()
        host.learningRate = 0.1
        let rlr = try plugin.createInstance(host: host, ["patience": .int(0), "cooldown": .int(2),
                                                         "min_lr": .double(0.005), "verbose": .int(1)]).get()
        defer { rlr.destroy() }
        XCTAssertEqual(rlr.trainBegin(), statusOK)
        // Never improves after epoch 0: reduce, 2 epochs of cooldown, reduce (to min_lr), then
        // nothing more: the rate is not above float32(min_lr).
        let rates = train(rlr, host, [1, 2, 2, 2, 2, 2, 2, 2])
        let once = Float(Double(Float(0.1)) * 0.1)
        XCTAssertEqual(rates, [0.1, 0.1, once, once, 0.005, 0.005, 0.005, 0.005])
        XCTAssertEqual(host.info, ["Epoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000149011612.",
                                   "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.005."])
    }

    func testSmallRatesPrintInPythonsExponentForm() throws {
        let host = FakeHost()
        host.learningRate = 1e-4
        let rlr = try plugin.createInstance(host: host, ["patience": .int(0), "verbose": .int(1)]).get()
        defer { rlr.destroy() }
        XCTAssertEqual(rlr.trainBegin(), statusOK)
        train(rlr, host, [1, 2])
        XCTAssertEqual(host.info, ["Epoch 2: ReduceLROnPlateau reducing learning rate to 9.999999747378752e-06."])
    }

    func testMissingMonitorWarnsAsKeras() throws {
        let host = FakeHost()
        let rlr = try plugin.createInstance(host: host, ["patience": .int(0)]).get()
        defer { rlr.destroy() }
        XCTAssertEqual(rlr.trainBegin(), statusOK)
        XCTAssertEqual(rlr.epochEnd(0, [("loss", 0.5), ("accuracy", 0.8)]), statusOK)
        XCTAssertEqual(rlr.epochEnd(1, [("loss", 0.6), ("accuracy", 0.7)]), statusOK)
        XCTAssertEqual(host.warnings, [
            "Learning rate reduction is conditioned on metric `val_loss` which is not available. "
                + "Available metrics are: loss,accuracy,learning_rate.",
        ])
        XCTAssertEqual(Float(host.learningRate), 0.01, "no decision without the monitored value")
    }

    func testMonitoringTheLearningRateReadsTheHostsRate() throws {
        let host = FakeHost()
        host.learningRate = 0.5
        let rlr = try plugin.createInstance(host: host, ["monitor": .string("learning_rate"), "mode": .string("max"),
                                                         "patience": .int(0), "factor": .double(0.5)]).get()
        defer { rlr.destroy() }
        XCTAssertEqual(rlr.trainBegin(), statusOK)
        XCTAssertEqual(rlr.epochEnd(0, [("loss", 1)]), statusOK)
        XCTAssertEqual(rlr.epochEnd(1, [("loss", 1)]), statusOK)
        XCTAssertEqual(Float(host.learningRate), 0.25)
        XCTAssertTrue(host.warnings.isEmpty)
    }

    func testSavedStateContinuesAsAnUninterruptedRun() throws {
        let values: [Double] = [1.0, 0.9, 0.95, 0.97, 0.85, 0.9, 0.91, 0.92, 0.93, 0.8, 0.81, 0.82]
        let parameters: [String: ParameterValue] = ["patience": .int(1), "cooldown": .int(2), "factor": .double(0.5)]

        let wholeHost = FakeHost()
        let whole = try plugin.createInstance(host: wholeHost, parameters).get()
        defer { whole.destroy() }
        XCTAssertEqual(whole.trainBegin(), statusOK)
        let wholeRates = train(whole, wholeHost, values)

        for split in 1..<values.count {
            let firstHost = FakeHost()
            let first = try plugin.createInstance(host: firstHost, parameters).get()
            XCTAssertEqual(first.trainBegin(), statusOK)
            let firstRates = train(first, firstHost, Array(values[..<split]))
            let state = try XCTUnwrap(first.saveState())
            first.destroy()

            let secondHost = FakeHost()
            secondHost.learningRate = firstHost.learningRate   // the host restores the optimizer
            let second = try plugin.createInstance(host: secondHost, parameters).get()
            defer { second.destroy() }
            XCTAssertEqual(second.loadState(state), statusOK)
            XCTAssertEqual(second.trainBegin(), statusOK, "on_train_begin keeps the loaded state")
            let secondRates = train(second, secondHost, Array(values[split...]), from: split)
            XCTAssertEqual(firstRates + secondRates, wholeRates, "resumed after \(split) epochs")
            XCTAssertEqual(second.saveState(), whole.saveState(), "resumed after \(split) epochs")
        }
    }

    func testDamagedStateIsRefused() throws {
        let host = FakeHost()
        let rlr = try plugin.createInstance(host: host).get()
        defer { rlr.destroy() }
        let state = try XCTUnwrap(rlr.saveState())
        for cut in [0, 8, state.count - 1] {
            XCTAssertEqual(rlr.loadState(Array(state.prefix(cut))), statusError, "truncated to \(cut) bytes")
        }
        XCTAssertEqual(rlr.loadState(state + [1]), statusError)
        XCTAssertEqual(rlr.loadState(state), statusOK)
    }
}
