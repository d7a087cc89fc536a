#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value given to a Python format spec: Python's `int` or `float`.
public enum FormatValue: Equatable, Sendable {
    case int(Int)
    case float(Double)

    var typeName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        }
    }
}

/// A format spec that Python would refuse, with Python's message
/// ("Unknown format code 'd' for object of type 'float'").
public struct FormatError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Python's format-spec mini-language for numbers, the part after `:` in `{val_loss:.2f}`:
///
///     [[fill]align][sign][z][#][0][width][grouping][.precision][type]
///
/// align `<` `>` `=` `^`; sign `+` `-` or space; grouping `,` or `_`; types `d b o x X c n`
/// for ints, `e E f F g G n %` for both (an int is converted to float), and no type (an int
/// in decimal; a float as `repr`, or with a precision like `g` but keeping a digit after the
/// point). Results are those of Python's `format(value, spec)`, rounding included (correctly
/// rounded from the double's exact value, half to even, as Python and C both do).
public struct PythonFormatSpec: Equatable, Sendable {
    public var fill: Character = " "
    /// `<`, `>`, `=`, `^`, or nil for the type's default (right for numbers).
    public var align: Character?
    /// `+`, `-` or a space; nil is `-`.
    public var sign: Character?
    /// `z`: negative zero (after rounding) is written as zero.
    public var coerceNegativeZero = false
    /// `#`: alternate form (0x prefix, a point kept, trailing zeros kept).
    public var alternate = false
    public var width = 0
    /// `,` or `_`.
    public var grouping: Character?
    public var precision: Int?
    /// The type code, nil when absent.
    public var type: Character?

    /// Parses a spec; throws Python's message for one Python would refuse whatever the value.
    public init(_ spec: String) throws {
        let chars = Array(spec)
        var i = 0
        func at(_ k: Int) -> Character? { k < chars.count ? chars[k] : nil }
        let aligns: Set<Character> = ["<", ">", "=", "^"]
        if let second = at(1), aligns.contains(second) {
            fill = chars[0]
            align = second
            i = 2
        } else if let first = at(0), aligns.contains(first) {
            align = first
            i = 1
        }
        if let c = at(i), c == "+" || c == "-" || c == " " {
            sign = c
            i += 1
        }
        if at(i) == "z" {
            coerceNegativeZero = true
            i += 1
        }
        if at(i) == "#" {
            alternate = true
            i += 1
        }
        if at(i) == "0" {
            // '0' before the width: zero padding after the sign, unless an alignment was given.
            if align == nil {
                fill = "0"
                align = "="
            }
            i += 1
        }
        var widthText = ""
        while let c = at(i), c.isASCII, c.isNumber {
            widthText.append(c)
            i += 1
        }
        if !widthText.isEmpty {
            guard let w = Int(widthText), w < 1_000_000 else { throw FormatError("Too many decimal digits in format string") }
            width = w
        }
        if let c = at(i), c == "," || c == "_" {
            grouping = c
            i += 1
            if let d = at(i), d == "," || d == "_" { throw FormatError("Cannot specify both ',' and '_'.") }
        }
        if at(i) == "." {
            i += 1
            var precisionText = ""
            while let c = at(i), c.isASCII, c.isNumber {
                precisionText.append(c)
                i += 1
            }
            guard !precisionText.isEmpty else { throw FormatError("Format specifier missing precision") }
            guard let p = Int(precisionText), p < 1_000_000 else { throw FormatError("Too many decimal digits in format string") }
            precision = p
        }
        if i < chars.count {
            if i + 1 < chars.count { throw FormatError("Invalid format specifier '\(spec)'") }
            type = chars[i]
        }
    }

    /// Throws Python's error when this spec cannot format a value of `value`'s type.
    public func check(_ value: FormatValue) throws {
        switch value {
        case .int:
            switch type {
            case nil, "d", "n", "b", "o", "x", "X", "c":
                if precision != nil { throw FormatError("Precision not allowed in integer format specifier") }
                if type == "c" {
                    if sign != nil { throw FormatError("Sign not allowed with integer format specifier 'c'") }
                    if alternate { throw FormatError("Alternate form (#) not allowed with integer format specifier 'c'") }
                }
                if let g = grouping, let t = type, t == "n" || t == "c" || (g == "," && t != "d") {
                    throw FormatError("Cannot specify '\(g)' with '\(t)'.")
                }
            case "e", "E", "f", "F", "g", "G", "%":
                try check(.float(0))
            case let t?:
                throw FormatError("Unknown format code '\(t)' for object of type 'int'")
            }
        case .float:
            switch type {
            case nil, "e", "E", "f", "F", "g", "G", "%":
                break
            case "n":
                if let g = grouping { throw FormatError("Cannot specify '\(g)' with 'n'.") }
            case let t?:
                throw FormatError("Unknown format code '\(t)' for object of type 'float'")
            }
        }
    }

    /// Python's `format(value, spec)`.
    public func format(_ value: FormatValue) throws -> String {
        try check(value)
        var (negative, prefix, body) = try signedBody(value)
        if let g = grouping { body = Self.group(body, with: g, every: type == "b" || type == "o" || type == "x" || type == "X" ? 4 : 3) }
        let signText = negative ? "-" : (sign == "+" ? "+" : (sign == " " ? " " : ""))
        let align = self.align ?? (type == "c" ? "<" : ">")
        let content = signText + prefix + body
        let padding = width - content.count
        guard padding > 0 else { return content }
        switch align {
        case "<": return content + String(repeating: fill, count: padding)
        case "^":
            let left = padding / 2
            return String(repeating: fill, count: left) + content + String(repeating: fill, count: padding - left)
        case "=":
            if fill == "0", let g = grouping {
                // Zero padding continues the grouping: format(1234, '010,') is '00,001,234'.
                var digits = body
                while (signText + prefix + digits).count < width {
                    digits = Self.group("0" + Self.ungroup(digits, g), with: g, every: type == "b" || type == "o" || type == "x" || type == "X" ? 4 : 3)
                }
                return signText + prefix + digits
            }
            return signText + prefix + String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + content
        }
    }

    /// The value's magnitude as text (without sign), its sign, and a prefix such as `0x`.
    private func signedBody(_ value: FormatValue) throws -> (Bool, String, String) {
        switch value {
        case .int(let n):
            let magnitude = n.magnitude
            switch type {
            case "b": return (n < 0, alternate ? "0b" : "", String(magnitude, radix: 2))
            case "o": return (n < 0, alternate ? "0o" : "", String(magnitude, radix: 8))
            case "x": return (n < 0, alternate ? "0x" : "", String(magnitude, radix: 16))
            case "X": return (n < 0, alternate ? "0X" : "", String(magnitude, radix: 16).uppercased())
            case "c":
                guard n >= 0, n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)) else {
                    throw FormatError("%c arg not in range(0x110000)")
                }
                return (false, "", String(Character(scalar)))
            case nil, "d", "n": return (n < 0, "", String(magnitude))
            default: return try signedBody(.float(Double(n)))
            }
        case .float(let x):
            var negative = x.sign == .minus && !x.isNaN
            var body = floatBody(Swift.abs(x))
            if negative && coerceNegativeZero && body.allSatisfy({ "0.%eE+-".contains($0) }) && x.isFinite {
                negative = false
            }
            if type == "E" || type == "F" || type == "G" { body = body.uppercased() }
            return (negative, "", body)
        }
    }

    /// A non-negative float (or NaN) formatted by type and precision, without sign.
    private func floatBody(_ x: Double) -> String {
        if x.isNaN { return type == "%" ? "nan%" : "nan" }
        if x.isInfinite { return type == "%" ? "inf%" : "inf" }
        switch type {
        case "f", "F": return Self.c("%\(alternate ? "#" : "").*f", precision ?? 6, x)
        case "e", "E": return Self.c("%\(alternate ? "#" : "").*e", precision ?? 6, x)
        case "%": return Self.c("%\(alternate ? "#" : "").*f", precision ?? 6, x * 100) + "%"
        case "g", "G", "n": return general(x, precision: precision ?? 6, keepPointZero: false)
        default:
            guard let p = precision else { return PythonFloat.repr(x) }
            return general(x, precision: p, keepPointZero: true)
        }
    }

    /// Python's `g` (and the no-type form with a precision, which keeps `.0` on integers and
    /// switches to exponent notation one digit earlier).
    private func general(_ x: Double, precision: Int, keepPointZero: Bool) -> String {
        let p = Swift.max(precision, 1)
        // p significant digits, correctly rounded, from C's %e.
        let e = Self.c("%.*e", p - 1, x)
        let parts = e.split(separator: "e")
        var digits = parts[0].utf8.filter { $0 != UInt8(ascii: ".") }.map { $0 - UInt8(ascii: "0") }
        let exponent = Int(parts[1])!
        if !alternate { while digits.count > 1 && digits.last == 0 { digits.removeLast() } }
        if x == 0 { digits = alternate ? digits : [0] }
        let point = exponent + 1
        let limit = keepPointZero ? p - 1 : p
        if point <= -4 || point > limit {
            if x == 0 && !alternate { return keepPointZero ? "0.0" : "0" }
            return PythonFloat.scientific(digits, exponent: exponent, forcePoint: alternate)
        }
        if x == 0 && !alternate { return keepPointZero ? "0.0" : "0" }
        let minimumFraction = alternate ? Swift.max(0, p - point) : (keepPointZero ? 1 : 0)
        var text = PythonFloat.fixed(digits, point: point, minimumFraction: minimumFraction)
        if alternate && !text.contains(".") { text += "." }
        return text
    }

    /// C's printf of one double with a precision.
    private static func c(_ format: String, _ precision: Int, _ x: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 400 + Swift.min(precision, 100_000))
        let count = withVaList([Int32(precision), x]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
        }
        if Int(count) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(count) + 1)
            _ = withVaList([Int32(precision), x]) { args in
                buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Inserts `separator` every `every` digits in the leading run of digits of `text`.
    static func group(_ text: String, with separator: Character, every: Int) -> String {
        let chars = Array(text)
        let isDigit: (Character) -> Bool = every == 4 ? { $0.isASCII && $0.isHexDigit } : { $0.isASCII && $0.isNumber }
        let end = chars.firstIndex(where: { !isDigit($0) }) ?? chars.count
        var out: [Character] = []
        for (k, c) in chars[..<end].enumerated() {
            if k > 0 && (end - k) % every == 0 { out.append(separator) }
            out.append(c)
        }
        return String(out) + String(chars[end...])
    }

    static func ungroup(_ text: String, _ separator: Character) -> String {
        String(text.filter { $0 != separator })
    }
}
