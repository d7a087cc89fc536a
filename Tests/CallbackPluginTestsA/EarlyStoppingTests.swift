import CTrainerPlugin
import PluginTestSupport
import XCTest

/// EarlyStopping through the C ABI: what the Keras parity cases do not cover (messages,
/// reports, saved state, bad parameters).
final class EarlyStoppingTests: XCTestCase {
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        plugin = try LoadedPlugin(product: "EarlyStopping")
    }

    /// A host whose model is one Dense layer (kernel [2, 3], bias [3]), every weight -1 until
    /// a test marks them with an epoch.
    private func makeHost(runDirectory: String = "") -> FakeHost {
        FakeHost(runDirectory: runDirectory, weights: FakeWeight.denseLayer(value: -1))
    }

    /// Epoch logs with these validation losses.
    private func logs(_ valLoss: Double) -> [(String, Double)] {
        [("loss", 0.5), ("accuracy", 0.8), ("val_loss", valLoss), ("val_accuracy", 0.7), ("learning_rate", 0.001)]
    }

    /// Runs epochs as the host does (the weights of epoch e are marked e); returns the epoch at
    /// whose end training stopped, or nil.
    @discardableResult
    private func train(_ instance: PluginInstance, _ host: FakeHost, _ values: [Double], from first: Int = 0,
                       end: Bool = true) -> Int? {
        var stopped: Int?
        let requestsBefore = host.stopRequests
        for (offset, value) in values.enumerated() {
            let epoch = first + offset
            XCTAssertEqual(instance.epochBegin(epoch), statusOK)
            host.weightMark = Float(epoch)
            XCTAssertEqual(instance.epochEnd(epoch, logs(value)), statusOK)
            if host.stopRequests > requestsBefore {
                stopped = epoch
                break
            }
        }
        if end { XCTAssertEqual(instance.trainEnd(logs(values.last ?? 0)), statusOK) }
        return stopped
    }

    func testSchemaHasKerasNamesAndDefaults() {
        XCTAssertEqual(plugin.id, "EarlyStopping")
        XCTAssertEqual(plugin.specs.map(SpecSummary.init), [
            SpecSummary("monitor", stringType, "\"val_loss\""),
            SpecSummary("min_delta", doubleType, "0.0"),
            SpecSummary("patience", intType, "0"),
            SpecSummary("verbose", intType, "0"),
            SpecSummary("mode", stringType, "\"auto\""),
            SpecSummary("baseline", doubleType, "none"),
            SpecSummary("restore_best_weights", boolType, "false"),
            SpecSummary("start_from_epoch", intType, "0"),
            SpecSummary("check_finite", boolType, "false"),
            SpecSummary("stopping_threshold", doubleType, "none"),
            SpecSummary("divergence_threshold", doubleType, "none"),
            SpecSummary("strict", boolType, "false"),
        ])
        for name in ["stopping_threshold", "divergence_threshold"] {
            let spec = plugin.specs.first { string($0.name) == name }!
            XCTAssertNotEqual(spec.flags & TRAINER_PARAM_NULLABLE, 0, name)
        }
        for spec in plugin.specs {
            XCTAssertFalse(string(spec.help).isEmpty, "\(string(spec.name)) has help text")
        }
        let baseline = plugin.specs.first { string($0.name) == "baseline" }!
        XCTAssertNotEqual(baseline.flags & TRAINER_PARAM_NULLABLE, 0)
        let mode = plugin.specs.first { string($0.name) == "mode" }!
        XCTAssertEqual(string(mode.choices), "auto|min|max")
        XCTAssertNotNil(plugin.descriptor.pointee.save_state)
        XCTAssertNil(plugin.hooks.on_train_batch_end, "no per-batch cost")
    }

    func testStopsRestoresAndPrintsWhatKerasPrints() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(1), "restore_best_weights": .bool(true),
                                                        "verbose": .int(1)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        let stopped = train(es, host, [0.9, 0.8, 0.7, 0.75, 0.71, 0.6])
        XCTAssertEqual(stopped, 3, "the first epoch without improvement reaches patience 1")
        XCTAssertEqual(host.info, ["Epoch 4: early stopping",
                                   "Restoring model weights from the end of the best epoch: 3."])
        XCTAssertEqual(host.weightMark, 2, "epoch 2's weights are back")
        XCTAssertEqual(host.reports["best_epoch"], 2)
        XCTAssertEqual(host.reports["stopped_epoch"], 3)
        XCTAssertLessThanOrEqual(host.liveSnapshots.count, 1, "older best snapshots are released")
    }

    func testVerboseZeroIsSilentAndKeras3RestoresWithoutStopping() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(5), "restore_best_weights": .bool(true)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertNil(train(es, host, [0.9, 0.5, 0.7, 0.8]))
        XCTAssertEqual(host.weightMark, 1, "Keras 3 restores the best weights at train end even without stopping")
        XCTAssertTrue(host.info.isEmpty)
        XCTAssertEqual(host.reports["best_epoch"], 1)
        XCTAssertNil(host.reports["stopped_epoch"])
    }

    func testMissingMonitorWarnsAsKerasAndSkipsTheEpoch() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(1)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        let noValidation: [(String, Double)] = [("loss", 0.5), ("accuracy", 0.8)]
        XCTAssertEqual(es.epochEnd(0, logs(0.5)), statusOK)
        // Two epochs without val_loss: no decision (patience 1 would otherwise stop at once).
        XCTAssertEqual(es.epochEnd(1, noValidation), statusOK)
        XCTAssertEqual(es.epochEnd(2, noValidation), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
        XCTAssertEqual(host.warnings, [
            "Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss,accuracy",
        ], "warned once for the same message, as Python's default warning filter does")
        XCTAssertEqual(es.epochEnd(3, logs(0.6)), statusOK)
        XCTAssertEqual(host.stopRequests, 1, "the first epoch with val_loss and no improvement stops")
    }

    func testBaselineMustBeBeatenToResetWait() throws {
        // Improvements that do not beat the baseline keep counting toward patience.
        for (baseline, stop) in [(ParameterValue.double(0.5), 2), (ParameterValue.none, nil)] {
            let host = makeHost()
            let es = try plugin.createInstance(host: host, ["patience": .int(2), "baseline": baseline]).get()
            defer { es.destroy() }
            XCTAssertEqual(es.trainBegin(), statusOK)
            XCTAssertEqual(train(es, host, [0.9, 0.8, 0.85]), stop)
            XCTAssertEqual(host.reports["best_epoch"], 1)
        }
    }

    func testModeAutoFollowsKerasMetricDirections() throws {
        for (monitor, values, stop) in [("val_accuracy", [0.5, 0.6, 0.55], 2), ("val_auc", [0.5, 0.6, 0.55], 2),
                                        ("val_mae", [0.5, 0.4, 0.45], 2), ("loss", [0.5, 0.4, 0.45], 2)] {
            let host = makeHost()
            let es = try plugin.createInstance(host: host, ["monitor": .string(monitor)]).get()
            defer { es.destroy() }
            XCTAssertEqual(es.trainBegin(), statusOK)
            for (epoch, value) in values.enumerated() {
                XCTAssertEqual(es.epochEnd(epoch, [(monitor, value)]), statusOK)
            }
            XCTAssertEqual(host.reports["stopped_epoch"], Double(stop), monitor)
            XCTAssertEqual(host.reports["best_epoch"], 1, monitor)
        }
    }

    func testModeAutoRefusesAMetricOfUnknownDirection() {
        let host = makeHost()
        XCTAssertThrowsError(try plugin.createInstance(host: host, ["monitor": .string("val_fmeasure")]).get()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("monitor=val_fmeasure"), message)
            XCTAssertTrue(message.contains("mode='max'"), message)
        }
        // With a mode it is fine.
        XCTAssertNoThrow(try plugin.createInstance(host: host, ["monitor": .string("val_fmeasure"), "mode": .string("max")]).get().destroy())
    }

    func testNegativeMinDeltaCountsAgainstTheDirectionLikePositive() throws {
        // Keras takes abs(min_delta): -0.1 and 0.1 decide alike.
        var decisions: [Int?] = []
        for delta in [-0.1, 0.1] {
            let host = makeHost()
            let es = try plugin.createInstance(host: host, ["min_delta": .double(delta), "patience": .int(1)]).get()
            defer { es.destroy() }
            XCTAssertEqual(es.trainBegin(), statusOK)
            decisions.append(train(es, host, [1.0, 0.85, 0.8, 0.5]))
        }
        XCTAssertEqual(decisions, [2, 2])
    }

    func testComparesInFloat32AsKeras() throws {
        // 0.4164000001 is above 0.4164 in double; in float32, as Keras's ops.greater compares
        // Python floats, the two are equal: not an improvement.
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["monitor": .string("val_accuracy")]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(es.epochEnd(0, [("val_accuracy", 0.4164)]), statusOK)
        XCTAssertEqual(es.epochEnd(1, [("val_accuracy", 0.4164000001)]), statusOK)
        XCTAssertEqual(host.reports["best_epoch"], 0)
        XCTAssertEqual(host.stopRequests, 1)
    }

    // MARK: - Saved state

    func testSavedStateContinuesAsAnUninterruptedRun() throws {
        let values = [0.9, 0.8, 0.85, 0.7, 0.75, 0.74, 0.76, 0.6]
        let parameters: [String: ParameterValue] = ["patience": .int(2), "min_delta": .double(0.01)]

        let wholeHost = makeHost()
        let whole = try plugin.createInstance(host: wholeHost, parameters).get()
        defer { whole.destroy() }
        XCTAssertEqual(whole.trainBegin(), statusOK)
        let wholeStop = train(whole, wholeHost, values)
        XCTAssertNotNil(wholeStop)

        for split in 1..<(wholeStop! + 1) {
            let firstHost = makeHost()
            let first = try plugin.createInstance(host: firstHost, parameters).get()
            XCTAssertEqual(first.trainBegin(), statusOK)
            XCTAssertNil(train(first, firstHost, Array(values[..<split]), end: false))
            let state = try XCTUnwrap(first.saveState())
            first.destroy()

            let secondHost = makeHost()
            let second = try plugin.createInstance(host: secondHost, parameters).get()
            defer { second.destroy() }
            XCTAssertEqual(second.loadState(state), statusOK)
            XCTAssertEqual(second.trainBegin(), statusOK, "on_train_begin keeps the loaded state")
            let stop = train(second, secondHost, Array(values[split...]), from: split)
            XCTAssertEqual(stop, wholeStop, "resumed after \(split) epochs")
            XCTAssertEqual(secondHost.reports["best_epoch"], wholeHost.reports["best_epoch"], "resumed after \(split) epochs")
            XCTAssertEqual(second.saveState(), whole.saveState(), "the same state at the end")
        }
    }

    func testSavedStateCarriesTheBestWeightsIntoAResumedRun() throws {
        let dir = try TemporaryDirectory.create()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let parameters: [String: ParameterValue] = ["patience": .int(3), "restore_best_weights": .bool(true), "verbose": .int(1)]

        let firstHost = makeHost(runDirectory: dir)
        let first = try plugin.createInstance(host: firstHost, parameters).get()
        XCTAssertEqual(first.trainBegin(), statusOK)
        train(first, firstHost, [0.9, 0.5, 0.6], end: false)
        XCTAssertEqual(firstHost.weightMark, 2)
        let state = try XCTUnwrap(first.saveState())
        XCTAssertEqual(firstHost.weightMark, 2, "saving the state leaves the model's weights alone")
        XCTAssertEqual(first.saveState(), state, "saving twice gives the same bytes")
        first.destroy()

        // A new process: the host's snapshots are gone; the best weights come from the state.
        let secondHost = makeHost(runDirectory: dir)
        secondHost.weightMark = 2
        let second = try plugin.createInstance(host: secondHost, parameters).get()
        defer { second.destroy() }
        XCTAssertEqual(second.loadState(state), statusOK)
        XCTAssertEqual(second.trainBegin(), statusOK)
        XCTAssertEqual(secondHost.weightMark, 2, "loading the best weights leaves the model's weights alone")
        XCTAssertEqual(train(second, secondHost, [0.7, 0.8, 0.9], from: 3), 4)
        XCTAssertEqual(secondHost.weightMark, 1, "epoch 1's weights, saved by the first run, are restored")
        XCTAssertEqual(secondHost.info.last, "Restoring model weights from the end of the best epoch: 2.")
        XCTAssertEqual(secondHost.reports["best_epoch"], 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(leftovers, [], "the temporary weights file is removed")
    }

    func testDamagedOrForeignStateIsRefused() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(es.epochEnd(0, logs(0.5)), statusOK)
        let state = try XCTUnwrap(es.saveState())

        for cut in [0, 7, 16, state.count - 1] {
            XCTAssertEqual(es.loadState(Array(state.prefix(cut))), statusError, "truncated to \(cut) bytes")
        }
        XCTAssertEqual(es.loadState(state + [0]), statusError, "trailing byte")
        var otherVersion = state
        otherVersion[0] = 2
        XCTAssertEqual(es.loadState(otherVersion), statusError)
        XCTAssertTrue(host.errors.contains { $0.contains("version 2") }, "\(host.errors)")

        let otherHost = makeHost()
        let other = try plugin.createInstance(host: otherHost, ["monitor": .string("loss")]).get()
        defer { other.destroy() }
        XCTAssertEqual(other.loadState(state), statusError)
        XCTAssertTrue(otherHost.errors.contains { $0.contains("monitors 'val_loss'") }, "\(otherHost.errors)")
        XCTAssertEqual(es.loadState(state), statusOK, "the intact state still loads")
    }

    // MARK: - Lightning's options

    func testCheckFiniteStopsAtOnceOnNaNOrInfinityAndSaysWhy() throws {
        for bad in [Double.nan, .infinity, -.infinity] {
            let host = makeHost()
            let es = try plugin.createInstance(host: host, ["patience": .int(10), "check_finite": .bool(true)]).get()
            defer { es.destroy() }
            XCTAssertEqual(es.trainBegin(), statusOK)
            XCTAssertEqual(train(es, host, [0.9, 0.8, bad, 0.5]), 2, "\(bad)")
            XCTAssertEqual(host.reports["stopped_epoch"], 2)
            XCTAssertEqual(host.info, ["val_loss = \(bad) is not finite; stopping (check_finite)"])
        }
    }

    func testWithoutCheckFiniteNaNCountsAsNoImprovementAsInKeras() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(2)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(train(es, host, [0.9, .nan, .nan, 0.1]), 2, "patience, not check_finite, stops")
        XCTAssertTrue(host.info.isEmpty, "\(host.info)")
    }

    func testStoppingThresholdStopsAsSoonAsTheValueIsBetter() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(10), "stopping_threshold": .double(0.2)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(train(es, host, [0.9, 0.2, 0.1, 0.05]), 2, "0.2 is not better than 0.2; 0.1 is")
        XCTAssertEqual(host.info, ["val_loss = 0.1 < stopping_threshold 0.2; stopping"])
        XCTAssertEqual(host.reports["stopped_epoch"], 2)
    }

    func testThresholdsFollowTheMonitorsDirection() throws {
        // val_accuracy is maximized: better is greater, worse is smaller.
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["monitor": .string("val_accuracy"),
                                                        "stopping_threshold": .double(0.9)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(es.epochEnd(0, [("val_accuracy", 0.5)]), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
        XCTAssertEqual(es.epochEnd(1, [("val_accuracy", 0.95)]), statusOK)
        XCTAssertEqual(host.stopRequests, 1)
        XCTAssertEqual(host.info, ["val_accuracy = 0.95 > stopping_threshold 0.9; stopping"])

        let host2 = makeHost()
        let diverging = try plugin.createInstance(host: host2, ["monitor": .string("val_accuracy"),
                                                                "divergence_threshold": .double(0.3)]).get()
        defer { diverging.destroy() }
        XCTAssertEqual(diverging.trainBegin(), statusOK)
        XCTAssertEqual(diverging.epochEnd(0, [("val_accuracy", 0.3)]), statusOK)
        XCTAssertEqual(host2.stopRequests, 0, "0.3 is not worse than 0.3")
        XCTAssertEqual(diverging.epochEnd(1, [("val_accuracy", 0.25)]), statusOK)
        XCTAssertEqual(host2.stopRequests, 1)
        XCTAssertEqual(host2.info, ["val_accuracy = 0.25 < divergence_threshold 0.3; stopping"])
    }

    func testDivergenceThresholdStopsAtOnceEvenAtTheFirstEpoch() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["patience": .int(10), "divergence_threshold": .double(3)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(train(es, host, [3.5, 0.1]), 0)
        XCTAssertEqual(host.info, ["val_loss = 3.5 > divergence_threshold 3.0; stopping"])
        XCTAssertEqual(host.reports["stopped_epoch"], 0)
    }

    func testChecksRunInLightningsOrder() throws {
        // A value that meets several conditions stops for the first of them: finite, then the
        // stopping threshold, then divergence.
        let host = makeHost()
        let both = try plugin.createInstance(host: host, ["mode": .string("max"), "stopping_threshold": .double(1),
                                                          "divergence_threshold": .double(2)]).get()
        defer { both.destroy() }
        XCTAssertEqual(both.trainBegin(), statusOK)
        XCTAssertEqual(both.epochEnd(0, logs(1.5)), statusOK)
        XCTAssertEqual(host.info, ["val_loss = 1.5 > stopping_threshold 1.0; stopping"])

        let host2 = makeHost()
        let finiteFirst = try plugin.createInstance(host: host2, ["check_finite": .bool(true),
                                                                  "divergence_threshold": .double(2)]).get()
        defer { finiteFirst.destroy() }
        XCTAssertEqual(finiteFirst.trainBegin(), statusOK)
        XCTAssertEqual(finiteFirst.epochEnd(0, logs(.infinity)), statusOK)
        XCTAssertEqual(host2.info, ["val_loss = inf is not finite; stopping (check_finite)"])
    }

    func testThresholdsWaitForStartFromEpoch() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["start_from_epoch": .int(2), "patience": .int(10),
                                                        "stopping_threshold": .double(0.5)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(train(es, host, [0.1, 0.1, 0.1]), 2)
    }

    func testNonFiniteThresholdIsRefusedNamingTheKey() {
        let host = makeHost()
        XCTAssertThrowsError(try plugin.createInstance(host: host, ["stopping_threshold": .double(.nan)]).get()) { error in
            XCTAssertTrue("\(error)".contains("stopping_threshold"), "\(error)")
        }
    }

    func testStrictFailsTheEpochNamingTheMissingKey() throws {
        let host = makeHost()
        let es = try plugin.createInstance(host: host, ["strict": .bool(true)]).get()
        defer { es.destroy() }
        XCTAssertEqual(es.trainBegin(), statusOK)
        XCTAssertEqual(es.epochEnd(0, logs(0.5)), statusOK)
        XCTAssertEqual(es.epochEnd(1, [("loss", 0.5), ("accuracy", 0.8)]), statusError)
        XCTAssertTrue(host.errors.contains { $0.contains("`val_loss`") && $0.contains("loss,accuracy") }, "\(host.errors)")
        XCTAssertTrue(host.warnings.isEmpty, "an error, not Keras's warning")
    }
}
