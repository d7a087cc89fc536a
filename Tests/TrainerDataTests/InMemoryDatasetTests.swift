import XCTest
@testable import TrainerData

final class InMemoryDatasetTests: XCTestCase {
    /// Four 2×2 byte images, labels 0...3.
    private func byteImages(_ normalization: ByteNormalization = .unitInterval) throws -> InMemoryDataset {
        let bytes: [UInt8] = [0, 51, 102, 255,
                              1, 2, 3, 4,
                              10, 20, 30, 40,
                              128, 254, 0, 7]
        return try InMemoryDataset(features: .bytes(bytes, normalization: normalization), featureShape: [2, 2],
                                   targets: .classes([0, 1, 2, 3], classCount: 4), source: "images")
    }

    func testGatherConvertsBytesWithDefaultNormalisation() throws {
        let data = try byteImages()
        XCTAssertEqual(data.count, 4)
        XCTAssertEqual(data.featureShape, [2, 2])
        XCTAssertEqual(data.targetShape, [])
        XCTAssertEqual(data.classCount, 4)
        XCTAssertEqual(data.featureStorage, .bytes)
        let (features, targets) = gatherAll(data, indices: [3, 0, 0])
        let expected: [Float] = [128, 254, 0, 7, 0, 51, 102, 255, 0, 51, 102, 255].map { Float($0) / 255 }
        XCTAssertEqual(features, expected)  // exactly Float(v) / 255, as Keras's x / 255.0
        XCTAssertEqual(targets, [3, 0, 0])
    }

    func testEveryByteValueNormalisesExactlyAsDivisionBy255() {
        let table = ByteLookupTable(.unitInterval)
        for value in 0 ... 255 {
            XCTAssertEqual(table.values[value], Float(value) / 255, "byte \(value)")
        }
    }

    func testGatherAppliesConfiguredScaleAndOffset() throws {
        let data = try byteImages(ByteNormalization(scale: 2.0 / 255.0, offset: -1))
        let (features, _) = gatherAll(data, indices: [0])
        XCTAssertEqual(features[0], -1)
        XCTAssertEqual(features[3], 1)
        XCTAssertEqual(features[1], Float(51.0 * 2.0 / 255.0 - 1), accuracy: 1e-7)

        let raw = data.normalized(.identity)
        XCTAssertEqual(gatherAll(raw, indices: [1]).0, [1, 2, 3, 4])
        XCTAssertEqual(data.normalization, .symmetric)
    }

    func testFloatFeaturesAndValueTargets() throws {
        let data = try InMemoryDataset(features: .floats([1, 2, 3, 4, 5, 6]), featureShape: [3],
                                       targets: .values([0.5, -1, 2, 7], shape: [2]))
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.targetShape, [2])
        XCTAssertNil(data.classCount)
        XCTAssertEqual(data.featureStorage, .floats)
        let (features, targets) = gatherAll(data, indices: [1, 0])
        XCTAssertEqual(features, [4, 5, 6, 1, 2, 3])
        XCTAssertEqual(targets, [2, 7, 0.5, -1])
        XCTAssertEqual(data.target(at: 1), [2, 7])
        XCTAssertNil(data.classLabel(at: 0))
    }

    func testValidationSplitTakesTheLastFractionAsKerasDoes() throws {
        let labels = (0 ..< 10).map(Int32.init)
        let data = try InMemoryDataset(features: .floats((0 ..< 10).map(Float.init)), featureShape: [1],
                                       targets: .classes(labels, classCount: 10))
        // Keras: split_at = floor(10 * (1 - 0.25)) = 7.
        let (training, validation) = try data.validationSplit(0.25)
        XCTAssertEqual(training.count, 7)
        XCTAssertEqual(validation.count, 3)
        XCTAssertEqual(gatherAll(training).1, [0, 1, 2, 3, 4, 5, 6])
        XCTAssertEqual(gatherAll(validation).0, [7, 8, 9])
        XCTAssertEqual(gatherAll(validation).1, [7, 8, 9])
        XCTAssertEqual(validation.classCount, 10)

        // floor(10 * 0.9) is 9 (0.9 is not exact in binary; Keras floors the same double).
        XCTAssertEqual(try data.validationSplit(0.1).training.count, 9)
        XCTAssertEqual(try data.validationSplit(0.5).validation.count, 5)

        assertDataError(.invalidRequest, containing: ["validation_split"]) { try data.validationSplit(0) }
        assertDataError(.invalidRequest, containing: ["validation_split"]) { try data.validationSplit(1) }
        assertDataError(.invalidRequest, containing: ["not enough"]) { try data.prefix(1).validationSplit(0.5) }
    }

    func testSliceAndPrefixShareStorageAndIndexFromTheirStart() throws {
        let data = try byteImages()
        let middle = data.slice(1 ..< 3)
        XCTAssertEqual(middle.count, 2)
        XCTAssertEqual(gatherAll(middle).0, [1, 2, 3, 4, 10, 20, 30, 40].map { Float($0) / 255 })
        XCTAssertEqual(gatherAll(middle).1, [1, 2])
        XCTAssertEqual(gatherAll(middle.slice(1 ..< 2)).1, [2])
        XCTAssertTrue(middle.featureOwner === data.featureOwner)
        XCTAssertTrue(middle.targetOwner === data.targetOwner)

        XCTAssertEqual(data.prefix(2).count, 2)
        XCTAssertEqual(gatherAll(data.prefix(2)).1, [0, 1])
        XCTAssertEqual(data.prefix(100).count, 4)
        XCTAssertEqual(data.prefix(0).count, 0)
    }

    func testViewsOutliveTheDatasetTheyCameFrom() throws {
        var view: InMemoryDataset?
        do {
            let data = try byteImages()
            view = try data.slice(2 ..< 4).reshaped(featureShape: [4])
        }
        XCTAssertEqual(gatherAll(view!).0, [10, 20, 30, 40, 128, 254, 0, 7].map { Float($0) / 255 })
    }

    func testReshapedViewsFeaturesInAnotherShape() throws {
        let data = try byteImages()
        let channels = try data.reshaped(featureShape: [2, 2, 1])
        XCTAssertEqual(channels.featureShape, [2, 2, 1])
        XCTAssertEqual(gatherAll(channels).0, gatherAll(data).0)
        XCTAssertEqual(try data.reshaped(featureShape: [-1]).featureShape, [4])
        XCTAssertEqual(try data.reshaped(featureShape: [1, -1]).featureShape, [1, 4])
        assertDataError(.invalidRequest, containing: ["[3]"]) { try data.reshaped(featureShape: [3]) }
        assertDataError(.invalidRequest) { try data.reshaped(featureShape: [-1, -1]) }
        assertDataError(.invalidRequest) { try data.reshaped(featureShape: [0, 4]) }
    }

    func testSingleSampleAccessors() throws {
        let data = try byteImages(.identity)
        XCTAssertEqual(data.features(at: 1), [1, 2, 3, 4])
        XCTAssertEqual(data.classLabel(at: 3), 3)
        XCTAssertEqual(data.target(at: 2), [2])
    }

    func testInitialiserRejectsInconsistentValues() {
        assertDataError(.badLabel, containing: ["label 4", "0..<4"]) {
            try InMemoryDataset(features: .floats([0, 0]), featureShape: [1],
                                targets: .classes([1, 4], classCount: 4))
        }
        assertDataError(.countMismatch) {
            try InMemoryDataset(features: .floats([0, 0, 0]), featureShape: [2],
                                targets: .classes([0, 1], classCount: 2))
        }
        assertDataError(.sizeMismatch) {
            try InMemoryDataset(features: .floats([0, 0, 0]), featureShape: [1],
                                targets: .values([1, 2, 3], shape: [2]))
        }
        assertDataError(.invalidRequest) {
            try InMemoryDataset(features: .floats([]), featureShape: [0],
                                targets: .classes([], classCount: 2))
        }
    }

    func testErrorDescriptionsNameFileAndLocation() {
        let error = DataError(.notNumeric, file: "data.csv", line: 12, column: 3, columnName: "age",
                              "\"abc\" is not a number")
        XCTAssertEqual(error.description, "data.csv: line 12, column 3 (\"age\"): \"abc\" is not a number")
        XCTAssertEqual(error.localizedDescription, error.description)
        XCTAssertEqual(DataError(.missingFile, file: "x.gz", "no such file").description, "x.gz: no such file")
        XCTAssertEqual(DataError(.invalidRequest, file: nil, "bad").description, "bad")
    }
}
