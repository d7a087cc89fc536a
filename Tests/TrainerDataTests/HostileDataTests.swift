import XCTest
@testable import TrainerData

/// Numbers and sizes read from data files are checked before arithmetic and allocation.
final class HostileDataTests: XCTestCase {
    func testNumbersOfTwentyDigitsParseAndAsLabelsAreRefused() throws {
        let dir = try TemporaryDirectory()
        let features = try dir.write("long.csv", text: "12345678901234567890,-98765432109876543210.5,1\n1,2,0\n")
        let data = try CSVDataset.load(features)
        XCTAssertEqual(gatherAll(data).0, [Float(Double("12345678901234567890")!), Float(Double("-98765432109876543210.5")!), 1, 2])
        let labels = try dir.write("labels.csv", text: "a,label\n1,12345678901234567890\n")
        assertDataError(.badLabel, containing: [labels, "line 2", "\"label\"", "1.2345678901234567e+19"]) {
            try CSVDataset.load(labels)
        }
    }

    /// An IDX header of `dimensions` (unsigned bytes).
    func idxHeader(_ dimensions: [UInt32]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xff) } }
    }

    func testGzipDecompressionStopsAtTheSizeTheIDXHeaderDeclares() throws {
        let dir = try TemporaryDirectory()
        let bomb = try dir.writeGzip("bomb-idx3-ubyte.gz", idxHeader([2, 28, 28]) + [UInt8](repeating: 0, count: 32 << 20))
        assertDataError(.sizeMismatch, containing: [bomb, "more than the 1584 bytes its IDX header declares",
                                                    "[2, 28, 28]", "stopped"]) { try IDXFile.read(bomb) }
        // The same data, as long as declared, reads.
        let exact = try dir.writeGzip("exact-idx3-ubyte.gz", idxHeader([2, 28, 28]) + [UInt8](repeating: 7, count: 1568))
        XCTAssertEqual(try IDXFile.read(exact).shape, [2, 28, 28])
    }

    func testGzipDecompressionStopsAtTheSizeTheNPYHeaderDeclares() throws {
        let dir = try TemporaryDirectory()
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let preamble = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        let bomb = try dir.writeGzip("bomb.npy.gz", preamble + [UInt8](repeating: 1, count: 8 << 20))
        assertDataError(.sizeMismatch, containing: [bomb, "more than the 132 bytes its .npy header declares (shape [4] of |u1)"]) {
            try NPYFile.read(bomb)
        }
    }

    func testAnNPYHeaderLongerThanAnyRealOneIsRefused() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("long-header.npy", [0x93] + Array("NUMPY".utf8) + [2, 0, 0, 0, 0, 0x10] + [UInt8](repeating: 0x20, count: 64))
        assertDataError(.malformed, containing: [path, "268435456 bytes", "65536"]) { try NPYFile.read(path) }
    }

    func testAnIDXHeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("claim-idx3-ubyte", idxHeader([UInt32.max, UInt32.max, UInt32.max]) + [1, 2, 3])
        assertDataError(.sizeMismatch, containing: [path, "more than can be addressed"]) { try IDXFile.read(path) }
    }

    func testAFeatureShapeWhoseProductOverflowsIsRefused() throws {
        let data = try InMemoryDataset(features: .floats([1, 2, 3, 4]), featureShape: [4], targets: .classes([0], classCount: 1))
        assertDataError(.invalidRequest, containing: ["[4294967296, 4294967296]"]) {
            try data.reshaped(featureShape: [4294967296, 4294967296])
        }
        assertDataError(.invalidRequest, containing: ["[-1, 4294967296, 4294967296]"]) {
            try data.reshaped(featureShape: [-1, 4294967296, 4294967296])
        }
    }
}
