/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-tested 64-bit generator.
///
/// One seed gives one stream, identical on every run, so weights, shuffles and dropout masks
/// are reproducible bit for bit.
public struct SplitMix64: RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a named sub-stream of `seed` (e.g. epoch 3's shuffle), independent of
    /// how many numbers other streams drew.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    /// The state's step per draw: after `d` draws the state is the seed plus `d` times this, so
    /// any draw can be computed on its own (as the dropout kernel does, in parallel).
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Moves the generator past `draws` draws, as if `next()` had been called that often.
    @inline(__always)
    public mutating func skip(_ draws: Int) {
        state &+= UInt64(draws) &* SplitMix64.gamma
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= SplitMix64.gamma
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `0 ..< bound` without modulo bias (Lemire's method).
    @inline(__always)
    public mutating func nextIndex(below bound: Int) -> Int {
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold {
                product = next().multipliedFullWidth(by: b)
            }
        }
        return Int(product.high)
    }
}
