import TrainerExpression

/// JSON written as Python's `json.dumps(obj)` writes it with its defaults, which is what Keras
/// sends: `{"epoch": 0, "loss": 0.5}` (separators `", "` and `": "`), floats as `repr`,
/// `NaN`/`Infinity`/`-Infinity` for the non-finite ones (allow_nan), and every character
/// outside ASCII escaped as `\uXXXX` (ensure_ascii).
enum PythonJSON {
    enum Value {
        case int(Int)
        case double(Double)
    }

    /// An object with these members, in this order.
    static func object(_ members: [(String, Value)]) -> String {
        "{" + members.map { string($0.0) + ": " + value($0.1) }.joined(separator: ", ") + "}"
    }

    static func value(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        }
    }

    static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        return PythonFloat.repr(x)
    }

    static func string(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: out += "\\u" + hex4(unit) // control characters, and UTF-16 units past ASCII
            }
        }
        return out + "\""
    }

    private static func hex4(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }
}

/// Form encoding as Python's `urllib.parse.urlencode` (which requests uses for a dict body):
/// `quote_plus` of each name and value.
enum FormEncoding {
    /// Letters, digits and `_.-~` stay; a space becomes `+`; every other byte of the UTF-8
    /// text becomes `%XX` (upper-case hex).
    static func quotePlus(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
