import XCTest
import Foundation
@testable import TrainerEngine

final class WeightsTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "engine-weights-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func model(seed: UInt64) throws -> Sequential {
        let m = Sequential([Flatten(), Dense(5, activation: .relu), Dense(3, activation: .softmax)])
        try m.build(inputShape: [2, 2], maxBatch: 4, seed: seed)
        return m
    }

    func testNamesAndShapesFollowKeras() throws {
        let m = try model(seed: 1)
        XCTAssertEqual(m.layers.map(\.name), ["flatten", "dense", "dense_1"])
        XCTAssertEqual(m.weights.map(\.name), ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"])
        XCTAssertEqual(m.weights.map(\.shape), [[4, 5], [5], [5, 3], [3]])
        XCTAssertTrue(m.weight(named: "dense/bias")!.values.allSatisfy { $0 == 0 })
        let limit = (6.0 / 9.0).squareRoot()
        XCTAssertTrue(m.weight(named: "dense/kernel")!.values.allSatisfy { abs(Double($0)) <= limit })
    }

    func testGivenNamesAreKeptAndAutoNamesSkipThem() {
        let m = Sequential([Dense(2, name: "dense"), Dense(2), Dense(2, name: "head")])
        XCTAssertEqual(m.layers.map(\.name), ["dense", "dense_1", "head"])
    }

    func testSnapshotRestore() throws {
        let m = try model(seed: 1)
        let snapshot = m.snapshotWeights()
        for w in m.weights { w.value[0] += 1 }
        try m.restoreWeights(snapshot)
        XCTAssertEqual(m.weights.map(\.values), snapshot.values)
        XCTAssertThrowsError(try model(seed: 1).restoreWeights(
            Sequential([Dense(1)]).snapshotWeights()))
    }

    func testSafetensorsRoundTrip() throws {
        let path = directory + "/w.safetensors"
        let a = try model(seed: 1)
        try a.saveWeights(to: path, metadata: ["format": "pt", "epoch": "3"])
        let b = try model(seed: 2)
        XCTAssertNotEqual(a.weights.map(\.values), b.weights.map(\.values))
        let metadata = try b.loadWeights(from: path)
        XCTAssertEqual(a.weights.map(\.values), b.weights.map(\.values))
        XCTAssertEqual(metadata, ["format": "pt", "epoch": "3"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["w.safetensors"])

        // The layout is the standard one: u64 header length, JSON, then data.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(n % 8, 0)
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes.subdata(in: 8 ..< 8 + n)) as? [String: Any])
        let kernel = try XCTUnwrap(header["dense/kernel"] as? [String: Any])
        XCTAssertEqual(kernel["dtype"] as? String, "F32")
        XCTAssertEqual(kernel["shape"] as? [Int], [4, 5])
        XCTAssertEqual(kernel["data_offsets"] as? [Int], [0, 80])
        XCTAssertEqual(bytes.count, 8 + n + 4 * (20 + 5 + 15 + 3))
    }

    func testTruncatedFileIsAnError() throws {
        let path = directory + "/w.safetensors"
        try model(seed: 1).saveWeights(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        let m = try model(seed: 2)
        let before = m.weights.map(\.values)
        XCTAssertThrowsError(try m.loadWeights(from: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("dense_1/bias"), text)
        }
        XCTAssertEqual(m.weights.map(\.values), before)
        try bytes.prefix(5).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try m.loadWeights(from: path)) { XCTAssertTrue("\($0)".contains("too short")) }
        XCTAssertThrowsError(try m.loadWeights(from: directory + "/missing.safetensors"))
    }

    func testShapeMismatchNamesTheTensor() throws {
        let path = directory + "/w.safetensors"
        try model(seed: 1).saveWeights(to: path)
        let other = Sequential([Flatten(), Dense(6, activation: .relu), Dense(3)])
        try other.build(inputShape: [2, 2])
        XCTAssertThrowsError(try other.loadWeights(from: path)) { error in
            XCTAssertTrue("\(error)".contains("'dense/kernel' has shape [4, 5], the model expects [4, 6]"), "\(error)")
        }
    }

    func testSummary() throws {
        let m = Sequential([Flatten(), Dense(128, activation: .relu), Dense(10, activation: .softmax)])
        try m.build(inputShape: [28, 28])
        let text = m.summary()
        XCTAssertTrue(text.hasPrefix("Model: \"sequential\""))
        XCTAssertTrue(text.contains("│ flatten (Flatten)"))
        XCTAssertTrue(text.contains("│ dense (Dense)                   │ (None, 128)            │       100,480 │"), text)
        XCTAssertTrue(text.contains(" Total params: 101,770 (397.54 KB)"), text)
        XCTAssertTrue(text.contains(" Non-trainable params: 0 (0.00 B)"), text)
    }
}

final class OptimizerStateFileTests: XCTestCase {
    func testOptimizerStateRoundTripThroughAFile() throws {
        let path = NSTemporaryDirectory() + "engine-opt-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        func trainedModel() throws -> Sequential {
            let m = Sequential([Dense(4, activation: .relu), Dense(3, activation: .softmax)])
            try m.build(inputShape: [2], maxBatch: 8, seed: 1)
            m.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
            return m
        }
        let data = blobs(count: 32)
        let a = try trainedModel()
        try a.fit(train: data, epochs: 1, batchSize: 8, seed: 5)
        try a.optimizer!.saveState(to: path)
        let weights = a.snapshotWeights()

        let b = try trainedModel()
        try b.restoreWeights(weights)
        try b.optimizer!.loadState(from: path)
        XCTAssertEqual(b.optimizer!.iterations, 4)
        // Both continue with epoch 1 and end identical.
        try a.fit(train: data, epochs: 2, batchSize: 8, seed: 5, initialEpoch: 1)
        try b.fit(train: data, epochs: 2, batchSize: 8, seed: 5, initialEpoch: 1)
        XCTAssertEqual(a.weights.map(\.values), b.weights.map(\.values))
        // ... and identical to a run of both epochs in one go.
        let c = try trainedModel()
        try c.fit(train: data, epochs: 2, batchSize: 8, seed: 5)
        XCTAssertEqual(c.weights.map(\.values), a.weights.map(\.values))

        let sgd = SGD(momentum: 0.9)
        sgd.build(b.trainableWeights)
        XCTAssertThrowsError(try sgd.loadState(from: path)) { XCTAssertTrue("\($0)".contains("Adam"), "\($0)") }
    }
}
