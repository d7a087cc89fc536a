import XCTest
@testable import TrainerEngine

final class TrainingTests: XCTestCase {
    private func mlp(seed: UInt64 = 42, optimizer: Optimizer = Adam(learningRate: 0.01)) throws -> Sequential {
        let model = Sequential([Dense(16, activation: .relu), Dense(3, activation: .softmax)])
        try model.build(inputShape: [2], maxBatch: 16, seed: seed)
        model.compile(optimizer: optimizer, loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        return model
    }

    func testMLPLearnsBlobs() throws {
        let train = blobs(count: 300)
        let validation = blobs(count: 90, seed: 99)
        let model = try mlp()
        XCTAssertTrue(model.lossFusesActivation)
        let history = try model.fit(train: train, validation: validation, epochs: 8, batchSize: 16, seed: 1)
        let accuracy = history["accuracy"]
        let loss = history["loss"]
        XCTAssertEqual(accuracy.count, 8)
        XCTAssertGreaterThan(accuracy.last!, 0.9)
        XCTAssertGreaterThan(history["val_accuracy"].last!, 0.9)
        XCTAssertLessThan(loss.last!, loss.first!)
        XCTAssertEqual(history.names, ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        XCTAssertEqual(history["learning_rate"].last!, Double(Float(0.01)))

        let logs = try model.evaluate(validation, batchSize: 7)
        XCTAssertEqual(logs.names, ["loss", "accuracy"])
        XCTAssertEqual(logs["accuracy"]!, history["val_accuracy"].last!, accuracy: 1e-9)
        XCTAssertEqual(logs["loss"]!, history["val_loss"].last!, accuracy: 1e-5)

        let predictions = try model.predict(validation, batchSize: 64)
        XCTAssertEqual(predictions.count, 90 * 3)
        for r in 0..<90 {
            XCTAssertEqual(predictions[r * 3] + predictions[r * 3 + 1] + predictions[r * 3 + 2], 1, accuracy: 1e-5)
        }
    }

    func testSameSeedSameWeights() throws {
        let data = blobs(count: 100)
        func trained(_ seed: UInt64) throws -> [[Float]] {
            let model = try mlp(seed: seed)
            try model.fit(train: data, epochs: 2, batchSize: 8, seed: seed)
            return model.weights.map(\.values)
        }
        XCTAssertEqual(try trained(3), try trained(3))
        XCTAssertNotEqual(try trained(3), try trained(4))
    }

    func testSGDAndRMSpropAlsoLearn() throws {
        for optimizer in [SGD(learningRate: 0.1, momentum: 0.9) as Optimizer, RMSprop(learningRate: 0.01)] {
            let model = try mlp(optimizer: optimizer)
            let history = try model.fit(train: blobs(count: 300), epochs: 6, batchSize: 16)
            XCTAssertGreaterThan(history["accuracy"].last!, 0.9, optimizer.kerasClassName)
        }
    }

    func testBinaryAndRegressionLosses() throws {
        // Is the point's first coordinate positive? One sigmoid output, binary cross-entropy.
        let base = blobs(count: 200, classes: 2)
        let labels = (0..<200).map { Float(base.features[$0 * 2] > 0 ? 1 : 0) }
        let data = ArrayDataset(features: base.features, featureShape: [2], targets: labels, targetShape: [1])
        let model = Sequential([Dense(8, activation: .tanh), Dense(1, activation: .sigmoid)])
        try model.build(inputShape: [2], maxBatch: 16)
        model.compile(optimizer: Adam(learningRate: 0.02), loss: BinaryCrossentropy(), metrics: ["accuracy"])
        let history = try model.fit(train: data, epochs: 10, batchSize: 16)
        XCTAssertGreaterThan(history["accuracy"].last!, 0.9)

        // y = 2 x0 - x1: mse falls.
        let y = (0..<200).map { 2 * base.features[$0 * 2] - base.features[$0 * 2 + 1] }
        let regression = ArrayDataset(features: base.features, featureShape: [2], targets: y, targetShape: [1])
        let linear = Sequential([Dense(1)])
        try linear.build(inputShape: [2])
        linear.compile(optimizer: SGD(learningRate: 0.05), loss: MeanSquaredError(), metrics: ["mae"])
        let h = try linear.fit(train: regression, epochs: 20, batchSize: 10)
        XCTAssertLessThan(h["loss"].last!, 0.01)
        XCTAssertEqual(h.names, ["loss", "mae", "learning_rate"])
    }

    func testAccuracyResolutionFollowsShapes() {
        XCTAssertTrue(Metrics.named("accuracy", outputShape: [10], targetShape: []) is SparseCategoricalAccuracy)
        XCTAssertTrue(Metrics.named("accuracy", outputShape: [10], targetShape: [1]) is SparseCategoricalAccuracy)
        XCTAssertTrue(Metrics.named("accuracy", outputShape: [10], targetShape: [10]) is CategoricalAccuracy)
        XCTAssertTrue(Metrics.named("accuracy", outputShape: [1], targetShape: [1]) is BinaryAccuracy)
        XCTAssertEqual(Metrics.named("acc", outputShape: [1], targetShape: [1])?.name, "acc")
    }

    func testRunningMeansAreWeightedByBatchSize() throws {
        // 5 samples, batch 2: batches of 2, 2, 1. The epoch loss is the sample-weighted mean.
        let data = blobs(count: 5)
        let model = try mlp(optimizer: SGD(learningRate: 0))
        final class LossProbe: FitCallbackBase {
            var values: [Double] = []
            override func trainBatchEnd(_ batch: Int, logs: Logs) throws { values.append(logs["loss"]!) }
        }
        let lossProbe = LossProbe()
        try model.fit(train: data, epochs: 1, batchSize: 2, shuffle: false, callbacks: lossProbe)
        let batchLosses = lossProbe.values
        // With lr 0 the weights never change: compute each batch's loss directly.
        var per: [Double] = []
        for (start, n) in [(0, 2), (2, 2), (4, 1)] {
            let x = Array(data.features[start * 2 ..< (start + n) * 2])
            let y = Array(data.targets[start ..< start + n])
            per.append(x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in
                model.testStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: n) } })
        }
        XCTAssertEqual(batchLosses.count, 3)
        guard batchLosses.count == 3 else { return }
        XCTAssertEqual(batchLosses[0], per[0], accuracy: 1e-6)
        XCTAssertEqual(batchLosses[1], (per[0] + per[1]) / 2, accuracy: 1e-6)
        XCTAssertEqual(batchLosses[2], (2 * per[0] + 2 * per[1] + per[2]) / 5, accuracy: 1e-6)
    }

    func testFitRejectsMismatchedData() throws {
        let model = try mlp()
        let wrong = ArrayDataset(features: [1, 2, 3], featureShape: [3], targets: [0], classCount: 3)
        XCTAssertThrowsError(try model.fit(train: wrong, epochs: 1))
        let badLabel = ArrayDataset(features: [1, 2], featureShape: [2], targets: [7], classCount: 3)
        XCTAssertThrowsError(try model.fit(train: badLabel, epochs: 1))
    }
}
