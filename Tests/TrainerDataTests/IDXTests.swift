import Foundation
import XCTest
@testable import TrainerData

final class IDXTests: XCTestCase {
    /// Five 3×2 byte images whose bytes are 0, 1, 2, ...; labels 4, 0, 9, 1, 4.
    private let images = (0 ..< 30).map { UInt8($0 * 8) }
    private let labels: [UInt8] = [4, 0, 9, 1, 4]

    private func writePair(_ dir: TemporaryDirectory, gzip: Bool,
                           labels: [UInt8]? = nil, labelCount: Int? = nil) throws -> (String, String) {
        let labelBytes = labels ?? self.labels
        let imageFile = idxBytes(type: 0x08, shape: [5, 3, 2], data: images)
        let labelFile = idxBytes(type: 0x08, shape: [labelCount ?? labelBytes.count], data: labelBytes)
        if gzip {
            return (try dir.writeGzip("images-idx3-ubyte.gz", imageFile),
                    try dir.writeGzip("labels-idx1-ubyte.gz", labelFile))
        }
        return (try dir.write("images-idx3-ubyte", imageFile), try dir.write("labels-idx1-ubyte", labelFile))
    }

    func testRoundTripPlainAndGzip() throws {
        for gzip in [false, true] {
            let dir = try TemporaryDirectory()
            let (imagePath, labelPath) = try writePair(dir, gzip: gzip)
            let data = try IDXDataset.load(images: imagePath, labels: labelPath)
            XCTAssertEqual(data.count, 5)
            XCTAssertEqual(data.featureShape, [3, 2])
            XCTAssertEqual(data.targetShape, [])
            XCTAssertEqual(data.classCount, 10)
            XCTAssertEqual(data.featureStorage, .bytes)
            XCTAssertEqual(data.source, imagePath)
            let (features, targets) = gatherAll(data)
            XCTAssertEqual(features, images.map { Float($0) / 255 })
            XCTAssertEqual(targets, [4, 0, 9, 1, 4])
        }
    }

    func testOtherElementTypesAreReadAsFloats() throws {
        let dir = try TemporaryDirectory()
        let floats: [Float] = [1.5, -2, 0.25, 1e6]
        let floatPath = try dir.write("f.idx", idxBytes(type: 0x0D, shape: [2, 2], data: bigEndianBytes(floats.map(\.bitPattern))))
        XCTAssertEqual(try IDXFile.read(floatPath).floats(), floats)
        XCTAssertEqual(try IDXFile.read(floatPath).elementType, .float32)

        let doubles: [Double] = [0.5, -3]
        let doublePath = try dir.write("d.idx", idxBytes(type: 0x0E, shape: [2], data: bigEndianBytes(doubles.map(\.bitPattern))))
        XCTAssertEqual(try IDXFile.read(doublePath).floats(), [0.5, -3])

        let shorts: [Int16] = [-300, 7, 32767]
        let shortPath = try dir.write("s.idx", idxBytes(type: 0x0B, shape: [3], data: bigEndianBytes(shorts)))
        XCTAssertEqual(try IDXFile.read(shortPath).floats(), [-300, 7, 32767])

        let ints: [Int32] = [-70000, 2]
        let intPath = try dir.write("i.idx", idxBytes(type: 0x0C, shape: [2], data: bigEndianBytes(ints)))
        XCTAssertEqual(try IDXFile.read(intPath).floats(), [-70000, 2])

        let signedPath = try dir.write("b.idx", idxBytes(type: 0x09, shape: [2], data: [0xFF, 0x05]))
        XCTAssertEqual(try IDXFile.read(signedPath).floats(), [-1, 5])

        // Int32 labels and Float images make a Float data set.
        let labelPath = try dir.write("l.idx", idxBytes(type: 0x0C, shape: [2], data: bigEndianBytes([Int32(3), 1])))
        let data = try IDXDataset.load(images: floatPath, labels: labelPath, targets: .classes(count: 4))
        XCTAssertEqual(data.featureStorage, .floats)
        XCTAssertEqual(gatherAll(data).0, floats)
        XCTAssertEqual(gatherAll(data).1, [3, 1])
    }

    func testMissingFile() throws {
        let dir = try TemporaryDirectory()
        let (imagePath, _) = try writePair(dir, gzip: false)
        let missing = dir.path + "/missing-labels"
        assertDataError(.missingFile, containing: [missing]) {
            try IDXDataset.load(images: imagePath, labels: missing)
        }
        assertDataError(.missingFile, containing: ["train-images-idx3-ubyte"]) {
            try IDXDataset.load(directory: dir.path, split: .train)
        }
    }

    func testBadMagic() throws {
        let dir = try TemporaryDirectory()
        var bytes = idxBytes(type: 0x08, shape: [1], data: [0])
        bytes[0] = 1
        let path = try dir.write("bad", bytes)
        assertDataError(.badMagic, containing: [path, "01 00 08 01"]) { try IDXFile.read(path) }
        let badType = try dir.write("badtype", idxBytes(type: 0x07, shape: [1], data: [0]))
        assertDataError(.badMagic, containing: [badType, "07"]) { try IDXFile.read(badType) }
        let short = try dir.write("short", [0, 0])
        assertDataError(.badMagic, containing: [short]) { try IDXFile.read(short) }
    }

    func testTruncatedAndOversizedData() throws {
        let dir = try TemporaryDirectory()
        let truncated = try dir.write("trunc", idxBytes(type: 0x08, shape: [5, 3, 2], data: Array(images.prefix(29))))
        assertDataError(.sizeMismatch, containing: [truncated, "truncated", "30 bytes", "29"]) {
            try IDXFile.read(truncated)
        }
        let truncatedGzip = try dir.writeGzip("trunc.gz", idxBytes(type: 0x0C, shape: [4], data: bigEndianBytes([Int32(1), 2, 3])))
        assertDataError(.sizeMismatch, containing: [truncatedGzip, "truncated"]) { try IDXFile.read(truncatedGzip) }
        let headerCut = try dir.write("header", Array(idxBytes(type: 0x08, shape: [5, 3, 2], data: []).prefix(9)))
        assertDataError(.sizeMismatch, containing: [headerCut, "header"]) { try IDXFile.read(headerCut) }
        let oversized = try dir.write("long", idxBytes(type: 0x08, shape: [2], data: [1, 2, 3]))
        assertDataError(.sizeMismatch, containing: [oversized, "does not match"]) { try IDXFile.read(oversized) }
        let huge = try dir.write("huge", idxBytes(type: 0x0E, shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], data: [1]))
        assertDataError(.sizeMismatch, containing: [huge]) { try IDXFile.read(huge) }
    }

    func testCountMismatchBetweenImagesAndLabels() throws {
        let dir = try TemporaryDirectory()
        let (imagePath, labelPath) = try writePair(dir, gzip: true, labels: [1, 2, 3, 4])
        assertDataError(.countMismatch, containing: [labelPath, "4 labels", "5 samples", imagePath]) {
            try IDXDataset.load(images: imagePath, labels: labelPath)
        }
    }

    func testLabelOutOfRange() throws {
        let dir = try TemporaryDirectory()
        let (imagePath, labelPath) = try writePair(dir, gzip: false, labels: [1, 2, 10, 4, 0])
        assertDataError(.badLabel, containing: [labelPath, "label 10", "sample 2", "0..<10"]) {
            try IDXDataset.load(images: imagePath, labels: labelPath)
        }
        // A configured class count narrows the range...
        let dir2 = try TemporaryDirectory()
        let (imagePath2, labelPath2) = try writePair(dir2, gzip: false, labels: [1, 2, 3, 4, 0])
        assertDataError(.badLabel, containing: ["label 4", "0..<4"]) {
            try IDXDataset.load(images: imagePath2, labels: labelPath2, targets: .classes(count: 4))
        }
        // ... or widens it.
        let wide = try IDXDataset.load(images: imagePath, labels: labelPath, targets: .classes(count: 11))
        XCTAssertEqual(wide.classCount, 11)
        XCTAssertEqual(gatherAll(wide).1, [1, 2, 10, 4, 0])
    }

    func testMNISTStyleDirectoryPrefersPlainFilesThenGzip() throws {
        let dir = try TemporaryDirectory()
        try dir.writeGzip("t10k-images-idx3-ubyte.gz", idxBytes(type: 0x08, shape: [5, 3, 2], data: images))
        try dir.write("t10k-labels-idx1-ubyte", idxBytes(type: 0x08, shape: [5], data: labels))
        let files = try IDXDataset.files(in: dir.path, split: .test)
        XCTAssertTrue(files.images.hasSuffix("t10k-images-idx3-ubyte.gz"))
        XCTAssertTrue(files.labels.hasSuffix("t10k-labels-idx1-ubyte"))
        let data = try IDXDataset.load(directory: dir.path + "/", split: .test)
        XCTAssertEqual(data.count, 5)
    }

    func testRealFashionMNISTTestSet() throws {
        let directory = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: directory + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed at \(directory)")
        }
        let data = try IDXDataset.load(directory: directory, split: .test)
        XCTAssertEqual(data.count, 10_000)
        XCTAssertEqual(data.featureShape, [28, 28])
        XCTAssertEqual(data.classCount, 10)
        var perClass = [Int](repeating: 0, count: 10)
        for i in 0 ..< data.count {
            let label = try XCTUnwrap(data.classLabel(at: i))
            XCTAssertTrue((0 ..< 10).contains(label))
            perClass[label] += 1
        }
        XCTAssertEqual(perClass, [Int](repeating: 1000, count: 10))  // the test set is balanced
        let (features, _) = gatherAll(data, indices: [0, 9999])
        XCTAssertEqual(features.count, 2 * 784)
        XCTAssertTrue(features.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertGreaterThan(features.max() ?? 0, 0.5)
        XCTAssertEqual(data.classLabel(at: 0), 9)  // the first test image is an ankle boot
        let conv = try data.reshaped(featureShape: [28, 28, 1])
        XCTAssertEqual(conv.featureShape, [28, 28, 1])
    }
}
