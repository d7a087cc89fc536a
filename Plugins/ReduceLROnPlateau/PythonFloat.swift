/// `str(x)` / `repr(x)` of a Python float: the shortest digits that read back as `x`, written
/// in fixed notation when the decimal exponent is in [-4, 16), else as `1e-05`, `1.5e+20`; a
/// whole number keeps a `.0`. Keras prints learning rates this way.
func pythonFloatString(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    let sign = x.sign == .minus ? "-" : ""
    if x == 0 { return sign + "0.0" }

    // Swift's description also gives the shortest round-tripping digits; only the layout differs.
    let text = "\(x.magnitude)"
    let parts = text.split(separator: "e", maxSplits: 1)
    let mantissa = parts[0]
    let exponent = parts.count > 1 ? Int(parts[1])! : 0
    let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let whole = String(pieces[0])
    let fraction = pieces.count > 1 ? String(pieces[1]) : ""
    var digits = whole + fraction
    // The value is 0.<digits> x 10^point.
    var point = whole.count + exponent
    while digits.hasPrefix("0") && digits.count > 1 {
        digits.removeFirst()
        point -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 {
        digits.removeLast()
    }

    if point > -4 && point <= 16 {
        if point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        if point >= digits.count {
            return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
        }
        let index = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<index] + "." + digits[index...]
    }
    let power = point - 1
    let first = digits.prefix(1)
    let rest = digits.dropFirst()
    let magnitude = abs(power)
    return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + (power < 0 ? "-" : "+")
        + (magnitude < 10 ? "0" : "") + String(magnitude)
}
