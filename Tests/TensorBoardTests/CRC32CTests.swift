import Foundation
import PluginTestSupport
import XCTest

/// The plugin's table-driven CRC-32C (exported for tests as trainer_tensorboard_crc32c)
/// against published check values and a bit-by-bit reference.
final class CRC32CTests: XCTestCase {
    typealias CRC = @convention(c) (UnsafeRawPointer?, Int, Bool) -> UInt32

    private func pluginCRC() throws -> CRC {
        try XCTUnwrap(LoadedPlugin(product: "TensorBoard").symbol("trainer_tensorboard_crc32c", as: CRC.self))
    }

    private func crc(_ function: CRC, _ bytes: [UInt8], masked: Bool = false) -> UInt32 {
        bytes.withUnsafeBytes { function($0.baseAddress, $0.count, masked) }
    }

    func testKnownVectors() throws {
        let function = try pluginCRC()
        // The CRC catalogue's check value, and RFC 3720 (iSCSI) appendix B.4.
        let vectors: [([UInt8], UInt32)] = [
            ([], 0x0000_0000),
            (Array("a".utf8), 0xC1D0_4330),
            (Array("123456789".utf8), 0xE306_9283),
            ([UInt8](repeating: 0x00, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            ((0..<32).map { UInt8($0) }, 0x46DD_794E),
            ((0..<32).reversed().map { UInt8($0) }, 0x113F_DB5C),
        ]
        for (bytes, expected) in vectors {
            XCTAssertEqual(crc(function, bytes), expected, "\(bytes)")
            XCTAssertEqual(referenceCRC32C(bytes), expected, "reference, \(bytes)")
        }
    }

    func testMatchesReferenceAndMasksAsTFRecord() throws {
        let function = try pluginCRC()
        var generator = SystemRandomNumberGenerator()
        for length in [1, 2, 3, 7, 8, 9, 63, 64, 65, 1000, 4099] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let plain = crc(function, bytes)
            XCTAssertEqual(plain, referenceCRC32C(bytes), "length \(length)")
            let rotated = (plain >> 15) | (plain << 17)
            XCTAssertEqual(crc(function, bytes, masked: true), rotated &+ 0xA282_EAD8, "length \(length)")
            XCTAssertEqual(crc(function, bytes, masked: true), referenceMaskedCRC32C(bytes))
        }
    }
}
