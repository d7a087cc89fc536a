/// CRC-32C (Castagnoli): the checksum of TFRecord framing, as TensorFlow computes it
/// (reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF).
/// Check value: `crc32c("123456789") == 0xE3069283`.
enum CRC32C {
    /// One entry per byte value: the CRC of that byte alone, shifted through eight rounds.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return ~crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC stored
    /// inside checksummed data does not make the outer checksum trivial.
    static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}

/// The plugin's CRC-32C, exported for tests (not part of the plugin ABI): the checksum of
/// `size` bytes at `bytes`, masked as TFRecord stores it when `masked` is true.
@_cdecl("trainer_tensorboard_crc32c")
public func _trainerTensorBoardCRC32C(_ bytes: UnsafeRawPointer?, _ size: Int, _ masked: Bool) -> UInt32 {
    let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : size))
    return masked ? CRC32C.masked(crc) : crc
}
