import CZlib
import Foundation
import XCTest
@testable import TrainerData

/// A fresh temporary directory for one test's files, removed afterwards.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "trainer-data-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the file's path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Writes `bytes` gzip-compressed with zlib's gz* API and returns the file's path.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        guard let handle = gzopen(file, "wb9") else {
            throw DataError(.unreadable, file: file, "gzopen failed")
        }
        let written = bytes.withUnsafeBytes { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
        XCTAssertEqual(Int(written), bytes.count)
        XCTAssertEqual(gzclose(handle), Z_OK)
        return file
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }
}

/// IDX file contents: magic, big-endian dimensions, then the element bytes as given.
func idxBytes(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for dimension in shape {
        withUnsafeBytes(of: UInt32(dimension).bigEndian) { bytes.append(contentsOf: $0) }
    }
    return bytes + data
}

/// Big-endian bytes of each value.
func bigEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
}

/// Little-endian bytes of each value.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// `.npy` file contents as NumPy writes them: the header padded with spaces and a newline so
/// the data starts at a multiple of 64 bytes.
func npyBytes(descr: String, shape: [Int], data: [UInt8], fortranOrder: Bool = false,
              version: UInt8 = 1) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
    let preamble = version == 1 ? 10 : 12
    while (preamble + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let length = header.utf8.count
    if version == 1 {
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
    } else {
        bytes += littleEndianBytes([UInt32(length)])
    }
    return bytes + Array(header.utf8) + data
}

/// Gathers every sample of `dataset` in order; returns (features, targets).
func gatherAll(_ dataset: Dataset, indices: [Int]? = nil) -> ([Float], [Float]) {
    let order = indices ?? Array(0 ..< dataset.count)
    var features = [Float](repeating: .nan, count: order.count * dataset.featureSize)
    var targets = [Float](repeating: .nan, count: order.count * dataset.targetSize)
    order.withUnsafeBufferPointer { index in
        features.withUnsafeMutableBufferPointer { f in
            targets.withUnsafeMutableBufferPointer { t in
                dataset.gather(index, features: f.baseAddress!, targets: t.baseAddress!)
            }
        }
    }
    return (features, targets)
}

/// Asserts that `body` throws a `DataError` of `kind` whose description contains every one of
/// `fragments`; returns the error.
@discardableResult
func assertDataError<T>(_ kind: DataError.Kind, containing fragments: [String] = [],
                        file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> T) -> DataError? {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error, but nothing was thrown", file: file, line: line)
        return nil
    } catch let error as DataError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment),
                          "\"\(error)\" does not contain \"\(fragment)\"", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
        return nil
    }
}
