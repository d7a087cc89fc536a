/// A Python `str.format` template with named fields, as Keras's ModelCheckpoint fills
/// `model.{epoch:02d}-{val_loss:.2f}.keras` with `filepath.format(epoch=epoch + 1, **logs)`.
///
/// Supported: literal text, `{{` and `}}` for braces, fields `{name}`, `{name:spec}` (see
/// `PythonFormatSpec`) and `{name!r}` / `{name!s}` / `{name!a}` conversions. Refused when parsed,
/// with Python's message where Python has one: unbalanced braces, positional fields (`{}`,
/// `{0}`: Keras passes only names), attribute and index access (`{a.b}`, `{a[0]}`), and
/// fields nested inside a spec (`{loss:.{p}f}`).
public struct FormatTemplate: Equatable, Sendable {
    public enum Piece: Equatable, Sendable {
        case literal(String)
        case field(name: String, conversion: Character?, spec: PythonFormatSpec)
    }

    public let text: String
    public let pieces: [Piece]

    /// The field names, each once, in order.
    public var fieldNames: [String] {
        var names: [String] = []
        for case .field(let name, _, _) in pieces where !names.contains(name) { names.append(name) }
        return names
    }

    public init(_ text: String) throws {
        self.text = text
        var pieces: [Piece] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "}" {
                guard i + 1 < chars.count, chars[i + 1] == "}" else {
                    throw FormatError("Single '}' encountered in format string")
                }
                literal.append("}")
                i += 2
                continue
            }
            guard c == "{" else {
                literal.append(c)
                i += 1
                continue
            }
            if i + 1 < chars.count, chars[i + 1] == "{" {
                literal.append("{")
                i += 2
                continue
            }
            guard let close = chars[(i + 1)...].firstIndex(of: "}") else {
                if i + 1 == chars.count { throw FormatError("Single '{' encountered in format string") }
                throw FormatError(chars[(i + 1)...].contains(":") ? "unmatched '{' in format spec"
                                  : "expected '}' before end of string")
            }
            let field = String(chars[(i + 1)..<close])
            if field.contains("{") {
                throw FormatError("nested fields in a format spec are not supported: '{\(field)'")
            }
            if !literal.isEmpty {
                pieces.append(.literal(literal))
                literal = ""
            }
            pieces.append(try Self.field(field))
            i = close + 1
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    private static func field(_ field: String) throws -> Piece {
        var nameAndConversion = Substring(field)
        var specText = ""
        if let colon = field.firstIndex(of: ":") {
            nameAndConversion = field[..<colon]
            specText = String(field[field.index(after: colon)...])
        }
        var name = nameAndConversion
        var conversion: Character?
        if let bang = nameAndConversion.firstIndex(of: "!") {
            name = nameAndConversion[..<bang]
            let rest = nameAndConversion[nameAndConversion.index(after: bang)...]
            guard rest.count == 1 else {
                throw FormatError(rest.isEmpty ? "unmatched '{' in format spec" : "expected ':' after conversion specifier")
            }
            guard let c = rest.first, c == "r" || c == "s" || c == "a" else {
                throw FormatError("Unknown conversion specifier \(rest)")
            }
            conversion = c
        }
        if name.isEmpty || name.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw FormatError("positional field '{\(field)}': name a log (e.g. {val_loss}) or {epoch}")
        }
        if name.contains(".") || name.contains("[") {
            throw FormatError("attribute or index access '{\(field)}' is not supported")
        }
        let spec = try PythonFormatSpec(specText)
        if conversion != nil {
            // After !r/!s the value is a string: only fill, alignment, width and precision apply.
            if spec.sign != nil { throw FormatError("Sign not allowed in string format specifier") }
            if spec.alternate { throw FormatError("Alternate form (#) not allowed in string format specifier") }
            if spec.align == "=" { throw FormatError("'=' alignment not allowed in string format specifier") }
            if let t = spec.type, t != "s" { throw FormatError("Unknown format code '\(t)' for object of type 'str'") }
        }
        return .field(name: String(name), conversion: conversion, spec: spec)
    }

    /// Fills the template. `value(name)` gives a field's value, nil when there is none: then
    /// this throws `FormatTemplate.MissingField` (Python's KeyError). A spec that cannot format
    /// the value throws `FormatError`.
    public func format(_ value: (String) -> FormatValue?) throws -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text):
                out += text
            case .field(let name, let conversion, let spec):
                guard let v = value(name) else { throw MissingField(name: name) }
                if conversion != nil {
                    out += Self.formatString(Self.str(v), spec)
                } else {
                    out += try spec.format(v)
                }
            }
        }
        return out
    }

    /// Checks each field's spec against the type its value will have (`type(name)`; nil when
    /// not known yet), so a spec Python would refuse is found before training.
    public func check(_ type: (String) -> FormatValue?) throws {
        for case .field(let name, let conversion, let spec) in pieces where conversion == nil {
            if let sample = type(name) {
                do { try spec.check(sample) } catch let error as FormatError {
                    throw FormatError("{\(name)}: \(error.message)")
                }
            }
        }
    }

    private static func str(_ value: FormatValue) -> String {
        switch value {
        case .int(let n): return String(n)
        case .float(let x): return PythonFloat.repr(x)
        }
    }

    private static func formatString(_ text: String, _ spec: PythonFormatSpec) -> String {
        var content = text
        if let p = spec.precision, content.count > p { content = String(content.prefix(p)) }
        let padding = spec.width - content.count
        guard padding > 0 else { return content }
        switch spec.align ?? "<" {
        case ">": return String(repeating: spec.fill, count: padding) + content
        case "^":
            let left = padding / 2
            return String(repeating: spec.fill, count: left) + content + String(repeating: spec.fill, count: padding - left)
        default: return content + String(repeating: spec.fill, count: padding)
        }
    }

    /// A field whose name has no value (Python's KeyError).
    public struct MissingField: Error, Equatable, CustomStringConvertible, Sendable {
        public let name: String

        public init(name: String) {
            self.name = name
        }

        public var description: String { "no value for {\(name)}" }
    }
}
