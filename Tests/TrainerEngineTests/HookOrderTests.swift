import XCTest
@testable import TrainerEngine

final class HookOrderTests: XCTestCase {
    private func model() throws -> Sequential {
        let model = Sequential([Dense(4, activation: .relu), Dense(3, activation: .softmax)])
        try model.build(inputShape: [2], maxBatch: 4)
        model.compile(optimizer: SGD(), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        return model
    }

    func testKerasOrderWithValidation() throws {
        let recorder = RecordingCallback()
        // 5 training samples in batches of 2 -> 3 batches; 3 validation samples -> 2 batches.
        try model().fit(train: blobs(count: 5), validation: blobs(count: 3), epochs: 2, batchSize: 2,
                        callbacks: recorder)
        var expected = ["train_begin"]
        for epoch in 0..<2 {
            expected.append("epoch_begin \(epoch)")
            for b in 0..<3 {
                expected += ["train_batch_begin \(b)", "train_batch_end \(b) loss,accuracy"]
            }
            expected.append("test_begin")
            for b in 0..<2 {
                expected += ["test_batch_begin \(b)", "test_batch_end \(b) loss,accuracy"]
            }
            expected.append("test_end loss,accuracy")
            expected.append("epoch_end \(epoch) loss,accuracy,val_loss,val_accuracy,learning_rate")
        }
        expected.append("train_end loss,accuracy,val_loss,val_accuracy,learning_rate")
        XCTAssertEqual(recorder.lines, expected)
    }

    func testStopMidEpochFinishesTheEpoch() throws {
        let m = try model()
        let recorder = RecordingCallback()
        recorder.onEvent = { line in
            if line.hasPrefix("train_batch_end 1") { m.control.stopRequested = true }
        }
        try m.fit(train: blobs(count: 10), validation: blobs(count: 2), epochs: 5, batchSize: 2, callbacks: recorder)
        XCTAssertEqual(recorder.lines, [
            "train_begin", "epoch_begin 0",
            "train_batch_begin 0", "train_batch_end 0 loss,accuracy",
            "train_batch_begin 1", "train_batch_end 1 loss,accuracy",
            "test_begin", "test_batch_begin 0", "test_batch_end 0 loss,accuracy", "test_end loss,accuracy",
            "epoch_end 0 loss,accuracy,val_loss,val_accuracy,learning_rate",
            "train_end loss,accuracy,val_loss,val_accuracy,learning_rate",
        ])
    }

    func testStopAtEpochEndAndInitialEpoch() throws {
        let m = try model()
        let recorder = RecordingCallback()
        recorder.onEvent = { line in
            if line.hasPrefix("epoch_end 3") { m.control.stopRequested = true }
        }
        let history = try m.fit(train: blobs(count: 2), epochs: 10, batchSize: 2, initialEpoch: 2, callbacks: recorder)
        XCTAssertEqual(history.epochs, [2, 3])
        XCTAssertEqual(recorder.lines.filter { $0.hasPrefix("epoch_begin") }, ["epoch_begin 2", "epoch_begin 3"])
        XCTAssertEqual(recorder.lines.last, "train_end loss,accuracy,learning_rate")
    }

    func testStopInTrainBeginStillRunsOneBatch() throws {
        let m = try model()
        let recorder = RecordingCallback()
        recorder.onEvent = { line in
            if line == "train_begin" { m.control.stopRequested = true }
        }
        try m.fit(train: blobs(count: 6), epochs: 3, batchSize: 2, callbacks: recorder)
        XCTAssertEqual(recorder.lines.filter { $0.hasPrefix("train_batch_end") }.count, 1)
        XCTAssertEqual(recorder.lines.filter { $0.hasPrefix("epoch_end") }.count, 1)
    }

    func testLearningRateSetByCallbackIsLogged() throws {
        let m = try model()
        let recorder = RecordingCallback()
        recorder.onEvent = { line in
            if line == "epoch_begin 0" { m.control.learningRate = 0.25 }
        }
        try m.fit(train: blobs(count: 4), epochs: 1, batchSize: 2, callbacks: recorder)
        XCTAssertEqual(recorder.lastEpochLogs["learning_rate"], 0.25)
        XCTAssertEqual(m.optimizer?.learningRate, 0.25)
    }

    func testEvaluateAndPredictCallOnlyTheirHooks() throws {
        let m = try model()
        let recorder = RecordingCallback()
        try m.evaluate(blobs(count: 3), batchSize: 2, callbacks: recorder)
        XCTAssertEqual(recorder.lines, ["test_begin", "test_batch_begin 0", "test_batch_end 0 loss,accuracy",
                                        "test_batch_begin 1", "test_batch_end 1 loss,accuracy", "test_end loss,accuracy"])
        recorder.lines = []
        _ = try m.predict(blobs(count: 3), batchSize: 2, callbacks: recorder)
        XCTAssertEqual(recorder.lines, ["predict_begin", "predict_batch_begin 0", "predict_batch_end 0",
                                        "predict_batch_begin 1", "predict_batch_end 1", "predict_end"])
    }

    func testCallbackErrorEndsFit() throws {
        struct Boom: Error {}
        final class Failing: FitCallbackBase {
            override func trainBatchEnd(_ batch: Int, logs: Logs) throws { throw Boom() }
        }
        XCTAssertThrowsError(try model().fit(train: blobs(count: 4), epochs: 1, batchSize: 2, callbacks: Failing())) {
            XCTAssertTrue($0 is Boom)
        }
    }
}
