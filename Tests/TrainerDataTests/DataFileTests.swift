import CZlib
import XCTest
@testable import TrainerData

final class DataFileTests: XCTestCase {
    /// Bytes that compress somewhat but not trivially.
    private func sample(_ count: Int) -> [UInt8] {
        var state: UInt32 = 12345
        return (0 ..< count).map { i in
            state = state &* 1_103_515_245 &+ 12345
            return i % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 16) : UInt8(i % 7)
        }
    }

    func testPlainFileIsReadAsIs() throws {
        let dir = try TemporaryDirectory()
        let bytes = sample(10_000)
        let path = try dir.write("plain.bin", bytes)
        XCTAssertEqual(try DataFile.contents(of: path), bytes)
        XCTAssertEqual(try DataFile.contents(of: try dir.write("empty.bin", [])), [])
    }

    func testGzipFileIsDecompressedWhateverItsName() throws {
        let dir = try TemporaryDirectory()
        let bytes = sample(300_000)
        let path = try dir.writeGzip("no-gz-suffix.bin", bytes)
        XCTAssertNotEqual(try dir.read("no-gz-suffix.bin"), bytes)
        XCTAssertEqual(try DataFile.contents(of: path), bytes)
    }

    func testConcatenatedGzipMembersDecompressToTheirConcatenation() throws {
        let dir = try TemporaryDirectory()
        let first = sample(5000), second = Array(sample(7000).reversed())
        try dir.writeGzip("a.gz", first)
        try dir.writeGzip("b.gz", second)
        let path = try dir.write("ab.gz", try dir.read("a.gz") + dir.read("b.gz"))
        XCTAssertEqual(try DataFile.contents(of: path), first + second)
    }

    func testTruncatedGzipIsAnErrorNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        try dir.writeGzip("whole.gz", sample(100_000))
        let whole = try dir.read("whole.gz")
        for keep in [whole.count - 1, whole.count - 8, whole.count / 2, 12] {
            let path = try dir.write("cut-\(keep).gz", Array(whole.prefix(keep)))
            assertDataError(.truncatedGzip, containing: [path, "truncated"]) { try DataFile.contents(of: path) }
        }
    }

    func testCorruptGzipIsAnErrorNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        try dir.writeGzip("whole.gz", sample(100_000))
        var bytes = try dir.read("whole.gz")
        // A damaged checksum in the trailer.
        bytes[bytes.count - 6] ^= 0xFF
        let badCheck = try dir.write("bad-check.gz", bytes)
        assertDataError(.corruptGzip, containing: [badCheck, "corrupt"]) { try DataFile.contents(of: badCheck) }
        // A damaged header (unknown compression method).
        var header = try dir.read("whole.gz")
        header[2] = 7
        let badHeader = try dir.write("bad-header.gz", header)
        assertDataError(.corruptGzip, containing: [badHeader]) { try DataFile.contents(of: badHeader) }
        // Garbage after the stream.
        let trailing = try dir.write("trailing.gz", try dir.read("whole.gz") + [1, 2, 3])
        assertDataError(.corruptGzip, containing: [trailing, "after the gzip stream"]) {
            try DataFile.contents(of: trailing)
        }
    }

    func testMissingFileAndDirectoryAreErrors() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.path + "/nope.gz"
        assertDataError(.missingFile, containing: [missing]) { try DataFile.contents(of: missing) }
        assertDataError(.unreadable, containing: [dir.path, "directory"]) { try DataFile.contents(of: dir.path) }
    }

    func testFormatInferredFromFileName() {
        XCTAssertEqual(DataFormat(inferringFrom: "/data/train-images-idx3-ubyte.gz"), .idx)
        XCTAssertEqual(DataFormat(inferringFrom: "t10k-labels-idx1-ubyte"), .idx)
        XCTAssertEqual(DataFormat(inferringFrom: "x.idx"), .idx)
        XCTAssertEqual(DataFormat(inferringFrom: "x_train.NPY"), .npy)
        XCTAssertEqual(DataFormat(inferringFrom: "runs/a.npy.gz"), .npy)
        XCTAssertEqual(DataFormat(inferringFrom: "iris.csv"), .csv)
        XCTAssertEqual(DataFormat(inferringFrom: "iris.tsv.gz"), .csv)
        XCTAssertNil(DataFormat(inferringFrom: "weights.bin"))
        XCTAssertNil(DataFormat(inferringFrom: "data.gz"))
    }
}
