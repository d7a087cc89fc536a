#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten) and their labels.
struct Ticks {
    /// The axis range, widened to whole steps.
    let lower: Double
    let upper: Double
    let step: Double
    let values: [Double]

    /// About `count` ticks covering `low...high` (finite, `low <= high`). A range of one value
    /// is widened around it. With `integers`, the step is at least 1 (epochs).
    init(low: Double, high: Double, count: Int = 5, integers: Bool = false) {
        var (low, high) = (low, high)
        if high - low <= abs(high) * 1e-12 || high - low < .leastNormalMagnitude {
            let pad = integers ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            (low, high) = (low - pad, high + pad)
        }
        var step = Self.niceStep((high - low) / Double(max(count, 1)))
        if integers { step = max(step.rounded(.up), 1) }
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        lower = first * step
        upper = last * step
        self.step = step
        let n = Int(min(last - first, 100))
        values = (0...n).map { (first + Double($0)) * step }
    }

    /// The smallest of 1, 2, 5 times a power of ten that is at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw * (1 - 1e-9) {
            return factor * power
        }
        return 10 * power
    }

    /// `value` written with as many decimals as the step needs ("0.25", "1200", "1e-06" for
    /// steps below 1e-4 or values of 1e7 and more).
    func label(_ value: Double) -> String {
        let value = abs(value) < step * 1e-9 ? 0 : value
        if step < 1e-4 || abs(value) >= 1e7 { return "\(value)" }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return formatFixed(value, decimals: decimals)
    }
}

/// `value` with `decimals` digits after the point ("-0.50", "3"); non-finite values as Swift
/// writes them.
func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
    let scale = pow(10, Double(decimals))
    let scaled = (abs(value) * scale).rounded()
    var digits = String(Int64(scaled))
    if decimals > 0 {
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
    }
    return (value < 0 && scaled != 0 ? "-" : "") + digits
}
