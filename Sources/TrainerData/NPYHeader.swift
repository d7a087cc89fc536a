/// The header dictionary of a NumPy `.npy` file, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`.
struct NPYHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Thrown with a message saying what part of the header could not be read.
    struct ParseError: Error {
        var message: String
    }

    /// Parses the header text: a Python dict literal with string keys whose values are
    /// strings, booleans or tuples of integers.
    static func parse(_ text: String) throws -> NPYHeader {
        var parser = Parser(Array(text.utf8))
        let entries = try parser.dictionary()
        guard case let .string(descr)? = entries["descr"] else {
            if entries["descr"] != nil {
                throw ParseError(message: "'descr' is not a simple dtype string (structured dtypes are not supported)")
            }
            throw ParseError(message: "the header has no 'descr' key")
        }
        guard case let .bool(fortranOrder)? = entries["fortran_order"] else {
            throw ParseError(message: "the header has no boolean 'fortran_order' key")
        }
        guard case let .tuple(shape)? = entries["shape"] else {
            throw ParseError(message: "the header has no tuple 'shape' key")
        }
        return NPYHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
        case other
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ byte: UInt8) throws {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else {
                throw ParseError(message: "expected '\(Character(Unicode.Scalar(byte)))' at header offset \(position)")
            }
            position += 1
        }

        mutating func peek() -> UInt8? {
            skipSpace()
            return position < bytes.count ? bytes[position] : nil
        }

        mutating func dictionary() throws -> [String: Value] {
            try expect(UInt8(ascii: "{"))
            var entries: [String: Value] = [:]
            while peek() != UInt8(ascii: "}") {
                let key = try string()
                try expect(UInt8(ascii: ":"))
                entries[key] = try value()
                if peek() == UInt8(ascii: ",") { position += 1 } else { break }
            }
            try expect(UInt8(ascii: "}"))
            return entries
        }

        mutating func string() throws -> String {
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
                throw ParseError(message: "expected a quoted string at header offset \(position)")
            }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw ParseError(message: "unterminated string in the header") }
            let text = String(decoding: bytes[start ..< position], as: UTF8.self)
            position += 1
            return text
        }

        mutating func value() throws -> Value {
            switch peek() {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "("):
                return .tuple(try tuple())
            case UInt8(ascii: "T"), UInt8(ascii: "F"):
                let word = identifier()
                if word == "True" { return .bool(true) }
                if word == "False" { return .bool(false) }
                throw ParseError(message: "unexpected '\(word)' in the header")
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                try skipNested()
                return .other
            default:
                throw ParseError(message: "unexpected character at header offset \(position)")
            }
        }

        mutating func identifier() -> String {
            let start = position
            while position < bytes.count, (bytes[position] >= 0x41 && bytes[position] <= 0x5A)
                || (bytes[position] >= 0x61 && bytes[position] <= 0x7A) { position += 1 }
            return String(decoding: bytes[start ..< position], as: UTF8.self)
        }

        mutating func tuple() throws -> [Int] {
            try expect(UInt8(ascii: "("))
            var values: [Int] = []
            while let next = peek(), next != UInt8(ascii: ")") {
                let start = position
                var value = 0
                while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                    let step = value.multipliedReportingOverflow(by: 10)
                    let sum = step.partialValue.addingReportingOverflow(Int(bytes[position] - 0x30))
                    guard !step.overflow, !sum.overflow else {
                        throw ParseError(message: "a dimension in 'shape' is too large")
                    }
                    value = sum.partialValue
                    position += 1
                }
                guard position > start else {
                    throw ParseError(message: "expected a non-negative integer in 'shape' at header offset \(start)")
                }
                if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }  // Python 2
                values.append(value)
                if peek() == UInt8(ascii: ",") { position += 1 } else { break }
            }
            try expect(UInt8(ascii: ")"))
            return values
        }

        mutating func skipNested() throws {
            var depth = 0
            repeat {
                guard position < bytes.count else { throw ParseError(message: "unbalanced brackets in the header") }
                let byte = bytes[position]
                if byte == 0x27 || byte == 0x22 { _ = try string(); continue }
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "(") { depth += 1 }
                if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: ")") { depth -= 1 }
                position += 1
            } while depth > 0
        }
    }
}
