import Foundation
import PluginTestSupport
import XCTest

/// ModelCheckpoint driven through the C ABI: Keras's decisions, then save_top_k, save_last,
/// batch-level saving and the saved state.
final class ModelCheckpointTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try TemporaryDirectory.create() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func make(_ settings: [String: ParameterValue], host: FakeHost? = nil) throws -> PluginInstance {
        // Weight files say which epoch they hold ("epoch 2").
        let host = host ?? FakeHost(runDirectory: dir, weightFileFormat: .epochMarker)
        return try LoadedPlugin(product: "ModelCheckpoint").createInstance(host: host, settings).get()
    }

    private func logs(_ valLoss: Double) -> [(String, Double)] {
        [("accuracy", 0.5), ("loss", 1.0), ("val_accuracy", 0.4), ("val_loss", valLoss)]
    }

    private func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    /// Runs epochs `range` with these validation losses (indexed by epoch).
    private func run(_ checkpoint: PluginInstance, _ losses: [Double], _ range: Range<Int>) {
        for epoch in range {
            XCTAssertEqual(checkpoint.epochBegin(epoch), statusOK)
            XCTAssertEqual(checkpoint.epochEnd(epoch, logs(losses[epoch])), statusOK, "epoch \(epoch)")
        }
    }

    func testKerasDecisionsAndMessages() throws {
        let checkpoint = try make(["filepath": .string("model.{epoch:02d}-{val_loss:.2f}.safetensors"),
                                   "save_best_only": .bool(true), "verbose": .int(1)])
        XCTAssertEqual(checkpoint.trainBegin(), statusOK)
        run(checkpoint, [0.61845, 0.7, 0.5], 0..<3)
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir), ["model.01-0.62.safetensors", "model.03-0.50.safetensors"])
        XCTAssertEqual(checkpoint.host.info, [
            "Epoch 1: val_loss improved from None to 0.61845, saving model to model.01-0.62.safetensors",
            "Epoch 1: finished saving model to model.01-0.62.safetensors",
            "Epoch 2: val_loss did not improve from 0.61845",
            "Epoch 3: val_loss improved from 0.61845 to 0.50000, saving model to model.03-0.50.safetensors",
            "Epoch 3: finished saving model to model.03-0.50.safetensors",
        ])
        XCTAssertEqual(checkpoint.host.reports["best_epoch"], 2)
    }

    func testMissingMonitorSavesWithKerasWarningOnce() throws {
        let checkpoint = try make(["filepath": .string("w-{epoch}.safetensors"), "save_best_only": .bool(true),
                                   "monitor": .string("val_accuracy")])
        for epoch in 0..<3 {
            checkpoint.epochBegin(epoch)
            XCTAssertEqual(checkpoint.epochEnd(epoch, [("loss", 1.0)]), statusOK)
        }
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir), ["w-1.safetensors", "w-2.safetensors", "w-3.safetensors"])
        XCTAssertEqual(checkpoint.host.warnings, ["Can save best model only with val_accuracy available."])
    }

    func testSaveTopKKeepsTheKBestAndDeletesTheRest() throws {
        let checkpoint = try make(["filepath": .string("ckpt-{epoch}.safetensors"), "save_top_k": .int(2), "verbose": .int(1)])
        run(checkpoint, [0.5, 0.4, 0.6, 0.3, 0.45, 0.35], 0..<6)
        XCTAssertEqual(Array(checkpoint.host.info[4...7]), [
            "Epoch 3: val_loss 0.60000 is not among the best 2, not saving ckpt-3.safetensors",
            "Epoch 4: saving model to ckpt-4.safetensors",
            "Epoch 4: finished saving model to ckpt-4.safetensors",
            "Epoch 4: deleted ckpt-1.safetensors, no longer among the best 2",
        ])
        // 0.6 and 0.45 do not beat the worst kept; 0.3 pushes out 0.5, then 0.35 pushes out 0.4.
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir),
                       ["ckpt-1.safetensors", "ckpt-2.safetensors", "ckpt-4.safetensors", "ckpt-6.safetensors"])
        XCTAssertEqual(try files(), ["ckpt-4.safetensors", "ckpt-6.safetensors"])
        XCTAssertEqual(checkpoint.host.reports["best_epoch"], 3)
    }

    func testSaveTopKWithOneFileNameReplacesItsOwnEntry() throws {
        let checkpoint = try make(["filepath": .string("best.safetensors"), "save_top_k": .int(1), "mode": .string("min")])
        run(checkpoint, [0.5, 0.6, 0.4, 0.4], 0..<4)
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir), ["best.safetensors", "best.safetensors"])
        XCTAssertEqual(try files(), ["best.safetensors"])
        XCTAssertEqual(try String(contentsOfFile: dir + "/best.safetensors", encoding: .utf8), "epoch 2")
    }

    func testSaveTopKZeroSavesNoneAndSaveLastStillWrites() throws {
        let checkpoint = try make(["filepath": .string("ckpts/m-{epoch:02d}.safetensors"), "save_top_k": .int(0),
                                   "save_last": .bool(true)])
        run(checkpoint, [0.5, 0.4], 0..<2)
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir), ["ckpts/last.safetensors", "ckpts/last.safetensors"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/ckpts"), ["last.safetensors"])
    }

    func testSaveLastIsWrittenAtEverySavePointBesideTheCheckpoints() throws {
        let checkpoint = try make(["filepath": .string("ckpts/m-{epoch:02d}.safetensors"), "save_best_only": .bool(true),
                                   "save_last": .bool(true)])
        run(checkpoint, [0.5, 0.6, 0.4], 0..<3)
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir), [
            "ckpts/m-01.safetensors", "ckpts/last.safetensors", "ckpts/last.safetensors",
            "ckpts/m-03.safetensors", "ckpts/last.safetensors",
        ])
        XCTAssertEqual(try String(contentsOfFile: dir + "/ckpts/last.safetensors", encoding: .utf8), "epoch 2")
        XCTAssertEqual(try String(contentsOfFile: dir + "/ckpts/m-01.safetensors", encoding: .utf8), "epoch 0")
    }

    func testSaveFreqAsABatchCountCountsAcrossEpochsAsKeras() throws {
        let checkpoint = try make(["filepath": .string("b-{epoch}-{batch}-{loss:.1f}.safetensors"), "save_freq": .string("3")])
        for epoch in 0..<2 {
            checkpoint.epochBegin(epoch)
            for batch in 0..<5 { XCTAssertEqual(checkpoint.batchEnd(batch, [("loss", Double(batch) / 10)]), statusOK) }
            XCTAssertEqual(checkpoint.epochEnd(epoch, logs(0.5)), statusOK)
        }
        // Batches seen: 3 (save), 2 more, then the next epoch's first makes 3 (save), then 3 more (save).
        XCTAssertEqual(checkpoint.host.savedWeightFiles(relativeTo: dir),
                       ["b-1-3-0.2.safetensors", "b-2-1-0.0.safetensors", "b-2-4-0.3.safetensors"])
    }

    func testBadSettingsAreRefusedAtCreation() throws {
        let plugin = try LoadedPlugin(product: "ModelCheckpoint")
        let host = FakeHost(runDirectory: dir)
        XCTAssertEqual(plugin.creationError(host: host, ["save_freq": .string("epoch")]),
                       "filepath: required: a file name template, e.g. \"model.{epoch:02d}-{val_loss:.2f}.safetensors\"")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w.safetensors"), "save_freq": .string("0")]),
                       "save_freq must be \"epoch\" or a positive number of batches, got '0'")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w.safetensors"), "save_freq": .string("often")]),
                       "save_freq must be \"epoch\" or a positive number of batches, got 'often'")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w-{batch}.safetensors")]),
                       "filepath: {batch} has a value only when save_freq is a number of batches")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w-{val_loss:02d}.safetensors")]),
                       "filepath: {val_loss}: Unknown format code 'd' for object of type 'float'")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w-{epoch.safetensors")]),
                       "filepath: expected '}' before end of string")
        XCTAssertEqual(plugin.creationError(host: host, ["filepath": .string("w.safetensors"), "monitor": .string("val_speed")]),
                       "mode: ModelCheckpoint callback received monitor=val_speed, but Keras isn't able to automatically "
                       + "determine whether that metric should be maximized or minimized. Pass `mode='max'` in order to "
                       + "monitor based on the highest metric value, or pass `mode='min'` in order to use the lowest value.")
        XCTAssertNil(plugin.creationError(host: host, ["filepath": .string("w.safetensors"), "monitor": .string("val_speed"),
                                                 "mode": .string("max")]))
    }

    func testAMissingTemplateFieldFailsTheRunAsKerasKeyError() throws {
        let checkpoint = try make(["filepath": .string("w-{val_auc:.2f}.safetensors")])
        checkpoint.epochBegin(0)
        XCTAssertEqual(checkpoint.epochEnd(0, [("loss", 1.0)]), statusError)
        XCTAssertEqual(checkpoint.host.errors, [
            "on_epoch_end failed: Failed to format this callback filepath: \"w-{val_auc:.2f}.safetensors\". "
                + "Reason: no 'val_auc' in the logs of epoch 1 (they have: loss)",
        ])
        XCTAssertTrue(checkpoint.host.savedWeightFiles.isEmpty)
    }

    func testStateRoundTripContinuesBestAndKeptFiles() throws {
        let losses = [0.5, 0.4, 0.6, 0.45, 0.3]
        let settings: [String: ParameterValue] = ["filepath": .string("ckpt-{epoch}.safetensors"), "save_top_k": .int(2),
                                         "save_best_only": .bool(false)]
        let first = try make(settings)
        run(first, losses, 0..<3)
        let state = try XCTUnwrap(first.saveState())
        XCTAssertEqual(try files(), ["ckpt-1.safetensors", "ckpt-2.safetensors"])

        // A resumed run: a new instance continues from the state.
        let resumed = try make(settings)
        XCTAssertEqual(resumed.loadState(state), statusOK)
        XCTAssertEqual(resumed.trainBegin(), statusOK)
        XCTAssertEqual(resumed.host.reports["best_epoch"], 1, "the best epoch is known again at train begin")
        run(resumed, losses, 3..<5)
        // 0.45 pushes out 0.5 (saved before the resume), 0.3 pushes out 0.45.
        XCTAssertEqual(try files(), ["ckpt-2.safetensors", "ckpt-5.safetensors"])
        XCTAssertEqual(resumed.host.reports["best_epoch"], 4)
        // The state of the resumed instance reads back the same.
        let again = try XCTUnwrap(resumed.saveState())
        let third = try make(settings)
        XCTAssertEqual(third.loadState(again), statusOK)
        XCTAssertEqual(third.saveState(), again)

        // save_best_only continues from the saved best: 0.45 does not beat 0.4 after the resume.
        let bestOnly: [String: ParameterValue] = ["filepath": .string("best-{epoch}.safetensors"), "save_best_only": .bool(true)]
        let before = try make(bestOnly)
        run(before, losses, 0..<2)
        let after = try make(bestOnly)
        XCTAssertEqual(after.loadState(try XCTUnwrap(before.saveState())), statusOK)
        run(after, losses, 2..<5)
        XCTAssertEqual(after.host.savedWeightFiles(relativeTo: dir), ["best-5.safetensors"])
    }

    func testDamagedStateIsAnErrorNotACrash() throws {
        let checkpoint = try make(["filepath": .string("w.safetensors")])
        let state = try XCTUnwrap(checkpoint.saveState())
        for cut in [0, 4, state.count - 1] {
            XCTAssertEqual(checkpoint.loadState(Array(state.prefix(cut))), statusError, "cut at \(cut)")
        }
        XCTAssertEqual(checkpoint.loadState(state + [0]), statusError)
        XCTAssertEqual(checkpoint.loadState(state), statusOK)
    }
}
