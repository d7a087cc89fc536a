import XCTest
@testable import TrainerData

final class CSVTests: XCTestCase {
    func testHeaderIsDetectedAndLabelIsTheLastColumn() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("iris.csv", text: """
            sepal_length,sepal_width,species
            5.1,3.5,0
            4.9,3.0,1
            6.3,-2.5e-1,2

            """)
        let data = try CSVDataset.load(path)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.featureShape, [2])
        XCTAssertEqual(data.targetShape, [])
        XCTAssertEqual(data.classCount, 3)
        XCTAssertEqual(data.featureStorage, .floats)
        let (features, targets) = gatherAll(data)
        XCTAssertEqual(features, [5.1, 3.5, 4.9, 3.0, 6.3, -0.25])
        XCTAssertEqual(targets, [0, 1, 2])
    }

    func testWithoutHeaderEveryRowIsData() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("plain.csv", text: "1,2,3\n4,5,6\n")
        let data = try CSVDataset.load(path)
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(gatherAll(data).0, [1, 2, 4, 5])
        XCTAssertEqual(gatherAll(data).1, [3, 6])
        XCTAssertEqual(data.classCount, 7)  // inferred: largest label + 1

        // Forcing a header skips the first row; forcing none makes a header row an error.
        XCTAssertEqual(try CSVDataset.load(path, options: .init(header: .present)).count, 1)
        let named = try dir.write("named.csv", text: "a,b\n1,2\n")
        assertDataError(.notNumeric, containing: [named, "line 1", "column 1", "\"a\" is not a number"]) {
            try CSVDataset.load(named, options: .init(header: .absent))
        }
    }

    func testLabelColumnByNameOrIndexAndOtherDelimiters() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("semi.csv", text: "label;x;y\n1;0.5;0.25\n0;1.5;2\n")
        let byName = try CSVDataset.load(path, options: .init(delimiter: ";", label: .name("label")))
        XCTAssertEqual(gatherAll(byName).0, [0.5, 0.25, 1.5, 2])
        XCTAssertEqual(gatherAll(byName).1, [1, 0])
        let byIndex = try CSVDataset.load(path, options: .init(delimiter: ";", label: .index(0)))
        XCTAssertEqual(gatherAll(byIndex).0, gatherAll(byName).0)
        let fromEnd = try CSVDataset.load(path, options: .init(delimiter: ";", label: .index(-2),
                                                               targets: .values))
        XCTAssertEqual(gatherAll(fromEnd).0, [1, 0.25, 0, 2])
        XCTAssertEqual(gatherAll(fromEnd).1, [0.5, 1.5])

        let tabs = try dir.write("t.tsv", text: "1\t2\t0\n3\t4\t1\n")
        XCTAssertEqual(gatherAll(try CSVDataset.load(tabs, options: .init(delimiter: "\t"))).0, [1, 2, 3, 4])

        assertDataError(.invalidRequest, containing: ["\"missing\"", "label, x, y"]) {
            try CSVDataset.load(path, options: .init(delimiter: ";", label: .name("missing")))
        }
        assertDataError(.invalidRequest, containing: ["no header"]) {
            try CSVDataset.load(tabs, options: .init(delimiter: "\t", label: .name("y")))
        }
        assertDataError(.invalidRequest, containing: ["index 3"]) {
            try CSVDataset.load(tabs, options: .init(delimiter: "\t", label: .index(3)))
        }
        assertDataError(.invalidRequest, containing: ["delimiter"]) {
            try CSVDataset.load(tabs, options: .init(delimiter: "."))
        }
    }

    func testFloatTargets() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("reg.csv", text: "x,y\n1,0.5\n2,-1.25\n")
        let data = try CSVDataset.load(path, options: .init(targets: .values))
        XCTAssertNil(data.classCount)
        XCTAssertEqual(data.targetShape, [])
        XCTAssertEqual(gatherAll(data).1, [0.5, -1.25])
    }

    func testRaggedRowNamesFileAndLine() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("ragged.csv", text: "a,b,c\n1,2,0\n3,4\n")
        assertDataError(.raggedRow, containing: [path, "line 3", "2 columns", "has 3"]) {
            try CSVDataset.load(path)
        }
        let long = try dir.write("long.csv", text: "1,2,0\n\n3,4,5,1\n")
        assertDataError(.raggedRow, containing: [long, "line 3", "4 columns"]) { try CSVDataset.load(long) }
    }

    func testNonNumericCellNamesFileLineAndColumn() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("bad.csv", text: "w,h,label\n1,2,0\n3,abc,1\n")
        let error = assertDataError(.notNumeric, containing: [path, "line 3", "column 2", "\"h\"", "\"abc\""]) {
            try CSVDataset.load(path)
        }
        XCTAssertEqual(error?.line, 3)
        XCTAssertEqual(error?.column, 2)
        let empty = try dir.write("empty-cell.csv", text: "1,,0\n")
        assertDataError(.notNumeric, containing: ["line 1", "column 2", "empty cell"]) { try CSVDataset.load(empty) }
        let trailing = try dir.write("trailing.csv", text: "1,2, \n3,4,1\n")
        assertDataError(.notNumeric, containing: ["line 1", "column 3"]) { try CSVDataset.load(trailing) }
    }

    func testBadClassLabels() throws {
        let dir = try TemporaryDirectory()
        let fraction = try dir.write("frac.csv", text: "1,0\n2,1.5\n")
        assertDataError(.badLabel, containing: [fraction, "line 2", "column 2", "1.5"]) {
            try CSVDataset.load(fraction)
        }
        let negative = try dir.write("neg.csv", text: "1,-1\n")
        assertDataError(.badLabel, containing: ["label -1"]) { try CSVDataset.load(negative) }
        let wide = try dir.write("wide.csv", text: "1,0\n2,3.0\n")
        assertDataError(.badLabel, containing: ["line 2", "label 3", "0..<3"]) {
            try CSVDataset.load(wide, options: .init(targets: .classes(count: 3)))
        }
        XCTAssertEqual(gatherAll(try CSVDataset.load(wide, options: .init(targets: .classes(count: 4)))).1, [0, 3])
    }

    func testQuotesCRLFBlankLinesAndSpaces() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("mixed.csv", text: "\u{FEFF}\"a, first\",\"b \"\"q\"\"\",y\r\n"
            + "\"1.5\", 2 ,0\r\n\r\n  \r\n3,\"4\",1\r\n")
        let data = try CSVDataset.load(path, options: .init(label: .name("y")))
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(gatherAll(data).0, [1.5, 2, 3, 4])
        XCTAssertEqual(gatherAll(data).1, [0, 1])
        let byQuotedName = try CSVDataset.load(path, options: .init(label: .name("b \"q\"")))
        XCTAssertEqual(gatherAll(byQuotedName).1, [2, 4])

        let unclosed = try dir.write("unclosed.csv", text: "1,\"2\n")
        assertDataError(.malformed, containing: [unclosed, "line 1", "not closed"]) { try CSVDataset.load(unclosed) }
    }

    func testEmptyFilesAndSingleColumns() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("empty.csv", text: "\n\n")
        assertDataError(.empty, containing: [empty]) { try CSVDataset.load(empty) }
        let headerOnly = try dir.write("header.csv", text: "a,b\n")
        assertDataError(.empty, containing: [headerOnly, "no data rows"]) { try CSVDataset.load(headerOnly) }
        let single = try dir.write("single.csv", text: "1\n2\n")
        assertDataError(.invalidRequest, containing: [single, "1 column"]) { try CSVDataset.load(single) }
        let missing = dir.path + "/none.csv"
        assertDataError(.missingFile, containing: [missing]) { try CSVDataset.load(missing) }
    }

    func testGzippedCSV() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.writeGzip("data.csv.gz", Array("x,label\n0.5,1\n0.25,0\n".utf8))
        XCTAssertEqual(gatherAll(try CSVDataset.load(path)).0, [0.5, 0.25])
    }

    func testNumberParsingMatchesStrtod() {
        let cells = ["0", "-0", "12", "+7", "0.1", "3.14159", "-2.5", "123456789012345", "1234567890123456789",
                     "1e-3", "6.02E23", ".5", "5.", "0.30000000000000004", "  42  ", "inf", "-nan"]
        for cell in cells {
            let bytes = Array(cell.utf8) + [0]
            let parsed = bytes.withUnsafeBufferPointer { parseNumber($0.baseAddress!, from: 0, to: cell.utf8.count) }
            let expected = strtod(cell, nil)
            if expected.isNaN {
                XCTAssertTrue(parsed?.isNaN == true, cell)
            } else {
                XCTAssertEqual(parsed, expected, cell)
                XCTAssertEqual(parsed?.sign, expected.sign, cell)
            }
        }
        for cell in ["", " ", "abc", "1.2.3", "1,5", "--1", "1e", "0x", "- 1", "."] {
            let bytes = Array(cell.utf8) + [0]
            let parsed = bytes.withUnsafeBufferPointer { parseNumber($0.baseAddress!, from: 0, to: cell.utf8.count) }
            XCTAssertNil(parsed, cell)
        }
    }
}
