/// Numbers written as Python writes them, for plugins whose output must match Keras's byte for
/// byte (CSVLogger's rows, ModelCheckpoint's file names, the messages callbacks print).
public enum PythonFloat {
    /// Python's `repr(x)` (and `str(x)`) of a float: the shortest digits that read back as the
    /// same double, in fixed notation for 1e-4 <= |x| < 1e16 (with at least one digit after
    /// the point: `1.0`) and in exponent notation otherwise (`1e-05`, `1.5e+16`); `nan`, `inf`
    /// and `-inf` for the others.
    public static func repr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let sign = x.sign == .minus ? "-" : ""
        let (digits, point) = shortestDigits(Swift.abs(x))
        if digits.isEmpty { return sign + "0.0" }
        if point > -4 && point <= 16 {
            return sign + fixed(digits, point: point, minimumFraction: 1)
        }
        return sign + scientific(digits, exponent: point - 1)
    }

    /// The shortest round-trip digits of a finite, non-negative `x`, without leading or
    /// trailing zeros, and the position of the decimal point: x = 0.DIGITS × 10^point.
    /// Empty digits for zero. (Swift's `description` is shortest round-trip too, and picks
    /// the same digits as Python's dtoa; only the layout differs.)
    static func shortestDigits(_ x: Double) -> (digits: [UInt8], point: Int) {
        let text = x.description  // "0.001", "1e-05", "1.5e+16", "100.0", "5e-324"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for c in mantissa.utf8 {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            digits.append(c - UInt8(ascii: "0"))
            if !seenPoint { point += 1 }
        }
        let leading = digits.prefix(while: { $0 == 0 }).count
        digits.removeFirst(leading)
        point -= leading
        while digits.last == 0 { digits.removeLast() }
        return (digits, digits.isEmpty ? 0 : point + exponent)
    }

    /// 0.DIGITS × 10^point in fixed notation, with at least `minimumFraction` digits after the
    /// point (0 writes no point for an integer).
    static func fixed(_ digits: [UInt8], point: Int, minimumFraction: Int) -> String {
        let chars = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        var integer: String
        var fraction: String
        if point <= 0 {
            integer = "0"
            fraction = String(repeating: "0", count: -point) + String(chars)
        } else if point >= chars.count {
            integer = String(chars) + String(repeating: "0", count: point - chars.count)
            fraction = ""
        } else {
            integer = String(chars[..<point])
            fraction = String(chars[point...])
        }
        if fraction.count < minimumFraction {
            fraction += String(repeating: "0", count: minimumFraction - fraction.count)
        }
        if integer.isEmpty { integer = "0" }
        return fraction.isEmpty ? integer : integer + "." + fraction
    }

    /// D.DDD × 10^exponent as `d.ddde+XX` (at least two exponent digits, as Python and C).
    static func scientific(_ digits: [UInt8], exponent: Int, uppercase: Bool = false,
                           forcePoint: Bool = false) -> String {
        let chars = digits.map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) }
        var text = String(chars.first ?? "0")
        if chars.count > 1 || forcePoint { text += "." + String(chars.dropFirst()) }
        let magnitude = Swift.abs(exponent)
        text += (uppercase ? "E" : "e") + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        return text
    }
}
