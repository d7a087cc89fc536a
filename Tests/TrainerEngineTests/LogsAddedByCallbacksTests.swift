import TrainerData
import XCTest
@testable import TrainerEngine

/// Values a callback adds to the logs (Keras: `logs["val_f1"] = ...`): the callbacks after it
/// and the history see them, the next batch and epoch start from the engine's own names.
final class LogsAddedByCallbacksTests: XCTestCase {
    func testSetReplacesOrAppendsAndRemoveAddedKeepsTheOwnerNames() {
        let logs = Logs(names: ["loss", "accuracy"])
        logs.values = [0.5, 0.75]
        let generation = logs.generation
        logs.set("loss", 0.25)
        XCTAssertEqual(logs.values, [0.25, 0.75])
        XCTAssertEqual(logs.generation, generation, "a new value is not a new name")
        logs.set("val_f1", 0.5)
        XCTAssertEqual(logs.names, ["loss", "accuracy", "val_f1"])
        XCTAssertEqual(logs["val_f1"], 0.5)
        XCTAssertNotEqual(logs.generation, generation)
        logs.removeAdded()
        XCTAssertEqual(logs.names, ["loss", "accuracy"])
        XCTAssertEqual(logs.values, [0.25, 0.75])
        XCTAssertEqual(logs.ownCount, 2)
    }

    /// Adds `added` = 100 + epoch to every even epoch's logs and to batch 0's; records what
    /// every hook saw.
    final class Adder: FitCallbackBase {
        var epochEnds: [[String]] = []
        var batchEnds: [[String]] = []
        var trainEnd: [String] = []
        override func epochEnd(_ epoch: Int, logs: Logs) throws {
            epochEnds.append(logs.names)
            if epoch % 2 == 0 { logs.set("added", Double(100 + epoch)) }
        }
        override func trainBatchEnd(_ batch: Int, logs: Logs) throws {
            batchEnds.append(logs.names)
            if batch == 0 { logs.set("added", 1) }
        }
        override func trainEnd(logs: Logs) throws { trainEnd = logs.names }
    }

    func testFitStartsEveryEpochAndBatchFromItsOwnNames() throws {
        let model = Sequential([Dense(3, activation: .softmax)])
        try model.build(inputShape: [4], maxBatch: 8, seed: 1)
        model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        let features = (0..<64).map { Float($0 % 7) / 7 }
        let data = try InMemoryDataset(features: .floats(features), featureShape: [4],
                                       targets: .classes((0..<16).map { Int32($0 % 3) }, classCount: 3))
        let adder = Adder()
        let history = try model.fit(train: data, epochs: 3, batchSize: 8, callbacks: adder)
        let own = ["loss", "accuracy", "learning_rate"]
        XCTAssertEqual(adder.epochEnds, [own, own, own], "an added name is gone when the next epoch's logs are made")
        XCTAssertEqual(adder.batchEnds, Array(repeating: ["loss", "accuracy"], count: 6))
        XCTAssertEqual(adder.trainEnd, own + ["added"], "on_train_end gets the last epoch's logs as its callbacks left them")
        XCTAssertEqual(history["added"], [100, 102], "the history records what the epoch's callbacks added")
    }
}
