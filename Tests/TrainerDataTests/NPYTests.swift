import XCTest
@testable import TrainerData

final class NPYTests: XCTestCase {
    func testEachSupportedDtype() throws {
        let dir = try TemporaryDirectory()
        let f4: [Float] = [1.5, -2, 0.1, 3e-8, 7, 8]
        let f4Path = try dir.write("f4.npy", npyBytes(descr: "<f4", shape: [2, 3], data: littleEndianBytes(f4.map(\.bitPattern))))
        let f4Array = try NPYFile.read(f4Path)
        XCTAssertEqual(f4Array.shape, [2, 3])
        XCTAssertEqual(f4Array.elementType, .float32)
        XCTAssertEqual(f4Array.floats(), f4)

        let f8: [Double] = [0.1, -1e10, 2.5]
        let f8Path = try dir.write("f8.npy", npyBytes(descr: "<f8", shape: [3], data: littleEndianBytes(f8.map(\.bitPattern))))
        XCTAssertEqual(try NPYFile.read(f8Path).floats(), f8.map { Float($0) })

        let u1: [UInt8] = [0, 128, 255, 3]
        let u1Path = try dir.write("u1.npy", npyBytes(descr: "|u1", shape: [2, 2], data: u1))
        XCTAssertEqual(try NPYFile.read(u1Path).elementType, .uint8)
        XCTAssertEqual(try NPYFile.read(u1Path).floats(), [0, 128, 255, 3])

        let i4: [Int32] = [-5, 0, 2_000_000]
        let i4Path = try dir.write("i4.npy", npyBytes(descr: "<i4", shape: [3], data: littleEndianBytes(i4)))
        XCTAssertEqual(try NPYFile.read(i4Path).elementType, .int64)
        XCTAssertEqual(try NPYFile.read(i4Path).floats(), [-5, 0, 2_000_000])

        let i8: [Int64] = [9, -1, 1 << 40]
        let i8Path = try dir.write("i8.npy", npyBytes(descr: "<i8", shape: [3], data: littleEndianBytes(i8)))
        XCTAssertEqual(try NPYFile.read(i8Path).floats(), [9, -1, Float(1 << 40)])
    }

    func testVersionTwoAndThreeHeadersAndGzip() throws {
        let dir = try TemporaryDirectory()
        for version: UInt8 in [2, 3] {
            let path = try dir.write("v\(version).npy", npyBytes(descr: "|u1", shape: [3], data: [7, 8, 9], version: version))
            XCTAssertEqual(try NPYFile.read(path).floats(), [7, 8, 9])
        }
        let gz = try dir.writeGzip("a.npy.gz", npyBytes(descr: "<i8", shape: [2, 1], data: littleEndianBytes([Int64(4), 5])))
        XCTAssertEqual(try NPYFile.read(gz).shape, [2, 1])
    }

    func testHeaderVariants() throws {
        XCTAssertEqual(try NPYHeader.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }"),
                       NPYHeader(descr: "<f4", fortranOrder: false, shape: [60000, 28, 28]))
        XCTAssertEqual(try NPYHeader.parse("{\"shape\":(3L,),\"fortran_order\":True,\"descr\":\"|u1\"}   \n"),
                       NPYHeader(descr: "|u1", fortranOrder: true, shape: [3]))
        XCTAssertEqual(try NPYHeader.parse("{'descr': '<f8', 'fortran_order': False, 'shape': ()}").shape, [])
        XCTAssertThrowsError(try NPYHeader.parse("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"))
        XCTAssertThrowsError(try NPYHeader.parse("{'descr': '<f4', 'shape': (2,)}"))
        XCTAssertThrowsError(try NPYHeader.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"))
        XCTAssertThrowsError(try NPYHeader.parse("not a dict"))
    }

    func testFeaturesAndLabelsFilesMakeADataset() throws {
        let dir = try TemporaryDirectory()
        let images = try dir.write("x.npy", npyBytes(descr: "|u1", shape: [3, 2, 2], data: (0 ..< 12).map { UInt8($0 * 20) }))
        let labels = try dir.write("y.npy", npyBytes(descr: "<i8", shape: [3], data: littleEndianBytes([Int64(2), 0, 1])))
        let data = try NPYDataset.load(features: images, labels: labels)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.featureShape, [2, 2])
        XCTAssertEqual(data.featureStorage, .bytes)
        XCTAssertEqual(data.classCount, 3)
        XCTAssertEqual(gatherAll(data).0, (0 ..< 12).map { Float($0 * 20) / 255 })
        XCTAssertEqual(gatherAll(data).1, [2, 0, 1])

        // Float labels of shape [n, 2] as value targets; float labels that are whole numbers as classes.
        let floats = try dir.write("yf.npy", npyBytes(descr: "<f4", shape: [3, 2],
                                                      data: littleEndianBytes([Float](arrayLiteral: 0, 1, 1, 0, 2, 0.5).map(\.bitPattern))))
        let values = try NPYDataset.load(features: images, labels: floats, targets: .values)
        XCTAssertEqual(values.targetShape, [2])
        XCTAssertEqual(gatherAll(values).1, [0, 1, 1, 0, 2, 0.5])
        let column = try dir.write("yc.npy", npyBytes(descr: "<f8", shape: [3, 1],
                                                      data: littleEndianBytes([Double](arrayLiteral: 1, 0, 4).map(\.bitPattern))))
        XCTAssertEqual(gatherAll(try NPYDataset.load(features: images, labels: column, targets: .classes(count: 5))).1, [1, 0, 4])
        assertDataError(.badLabel, containing: [column, "label 4 ", "sample 2"]) {
            try NPYDataset.load(features: images, labels: column, targets: .classes(count: 4))
        }
        assertDataError(.invalidRequest, containing: [floats, "[3, 2]"]) { try NPYDataset.load(features: images, labels: floats) }
    }

    func testErrorsNameTheFile() throws {
        let dir = try TemporaryDirectory()
        let fortran = try dir.write("fortran.npy", npyBytes(descr: "<f4", shape: [1], data: [0, 0, 0, 0], fortranOrder: true))
        assertDataError(.unsupported, containing: [fortran, "Fortran order"]) { try NPYFile.read(fortran) }

        let bigEndian = try dir.write("big.npy", npyBytes(descr: ">f4", shape: [1], data: [0, 0, 0, 0]))
        assertDataError(.unsupported, containing: [bigEndian, "'>f4'"]) { try NPYFile.read(bigEndian) }
        let complex = try dir.write("c.npy", npyBytes(descr: "<c8", shape: [1], data: [UInt8](repeating: 0, count: 8)))
        assertDataError(.unsupported, containing: [complex, "'<c8'"]) { try NPYFile.read(complex) }

        let truncated = try dir.write("trunc.npy", npyBytes(descr: "<f8", shape: [4], data: [UInt8](repeating: 0, count: 31)))
        assertDataError(.sizeMismatch, containing: [truncated, "truncated", "32 bytes", "31"]) { try NPYFile.read(truncated) }
        let headerCut = try dir.write("cut.npy", Array(npyBytes(descr: "<f8", shape: [4], data: []).prefix(40)))
        assertDataError(.sizeMismatch, containing: [headerCut, "header"]) { try NPYFile.read(headerCut) }

        let notNpy = try dir.write("x.npy", Array("hello, world".utf8))
        assertDataError(.badMagic, containing: [notNpy]) { try NPYFile.read(notNpy) }
        var future = npyBytes(descr: "<f4", shape: [1], data: [0, 0, 0, 0])
        future[6] = 9
        let futurePath = try dir.write("future.npy", future)
        assertDataError(.unsupported, containing: [futurePath, "9.0"]) { try NPYFile.read(futurePath) }

        var garbled = npyBytes(descr: "<f4", shape: [1], data: [0, 0, 0, 0])
        garbled[12] = UInt8(ascii: "?")
        let garbledPath = try dir.write("garbled.npy", garbled)
        assertDataError(.malformed, containing: [garbledPath, "header"]) { try NPYFile.read(garbledPath) }

        let missing = dir.path + "/missing.npy"
        assertDataError(.missingFile, containing: [missing]) { try NPYFile.read(missing) }

        let x = try dir.write("x3.npy", npyBytes(descr: "|u1", shape: [3, 1], data: [1, 2, 3]))
        let y2 = try dir.write("y2.npy", npyBytes(descr: "|u1", shape: [2], data: [1, 0]))
        assertDataError(.countMismatch, containing: [y2, "2 labels", "3 samples", x]) {
            try NPYDataset.load(features: x, labels: y2)
        }
        let scalar = try dir.write("scalar.npy", npyBytes(descr: "<f8", shape: [], data: [UInt8](repeating: 0, count: 8)))
        assertDataError(.invalidRequest, containing: [scalar, "scalar"]) { try NPYDataset.load(features: scalar, labels: y2) }
        let emptyX = try dir.write("empty.npy", npyBytes(descr: "|u1", shape: [0, 4], data: []))
        assertDataError(.empty, containing: [emptyX]) { try NPYDataset.load(features: emptyX, labels: y2) }
    }
}
