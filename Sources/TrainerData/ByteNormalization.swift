/// How a feature stored as a byte becomes the Float the model sees: `value * scale + offset`.
///
/// Each of the 256 results is computed once in double precision and rounded to Float, so the
/// default `scale = 1/255` gives exactly `Float(value) / 255`, as Keras's `x / 255.0` on
/// float32 data does.
public struct ByteNormalization: Sendable, Equatable, CustomStringConvertible {
    public var scale: Double
    public var offset: Double

    public init(scale: Double, offset: Double = 0) {
        self.scale = scale
        self.offset = offset
    }

    /// `[0, 255]` to `[0, 1]`: the usual image scaling, and the default.
    public static let unitInterval = ByteNormalization(scale: 1.0 / 255.0)
    /// `[0, 255]` to `[-1, 1]`.
    public static let symmetric = ByteNormalization(scale: 2.0 / 255.0, offset: -1)
    /// The raw byte values as floats.
    public static let identity = ByteNormalization(scale: 1)

    /// The Float for byte value `byte`.
    public func apply(_ byte: UInt8) -> Float {
        Float(Double(byte) * scale + offset)
    }

    public var description: String { "value * \(scale) + \(offset)" }
}

/// The 256 results of a normalisation, for converting bytes by table lookup.
final class ByteLookupTable: @unchecked Sendable {
    let values: UnsafeMutablePointer<Float>

    init(_ normalization: ByteNormalization) {
        values = .allocate(capacity: 256)
        for byte in 0 ... 255 {
            values[byte] = normalization.apply(UInt8(byte))
        }
    }

    deinit { values.deallocate() }
}
