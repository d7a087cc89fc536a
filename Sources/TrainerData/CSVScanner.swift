/// Splits CSV text into rows of fields (RFC 4180: quoted fields may hold delimiters, newlines
/// and doubled quotes), tracking line numbers. Blank lines are skipped.
struct CSVScanner {
    /// One field of a row: its bytes (inside the quotes, if quoted).
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    /// Thrown for a quoted field that never closes, or text after a closing quote.
    struct SyntaxError: Error {
        var line: Int
        var column: Int
        var message: String
    }

    private let text: UnsafePointer<UInt8>
    private let count: Int
    private let delimiter: UInt8
    private var position = 0
    /// 1-based line of the next byte to read.
    private(set) var line = 1

    /// `text` must be followed by a readable zero byte at `text[count]`.
    init(text: UnsafePointer<UInt8>, count: Int, delimiter: UInt8) {
        self.text = text
        self.count = count
        self.delimiter = delimiter
        // A UTF-8 byte order mark is not part of the first cell.
        if count >= 3, text[0] == 0xEF, text[1] == 0xBB, text[2] == 0xBF { position = 3 }
    }

    /// The bytes of the text (valid while the scanner's text is).
    var bytes: UnsafePointer<UInt8> { text }

    /// Reads the next non-blank row into `fields` and returns its first line, or nil at the end.
    mutating func nextRow(into fields: inout [Field]) throws -> Int? {
        fields.removeAll(keepingCapacity: true)
        // Skip blank lines (empty or only spaces, tabs and carriage returns).
        while true {
            var probe = position
            while probe < count, text[probe] == 0x20 || text[probe] == 0x09 || text[probe] == 0x0D {
                probe += 1
            }
            if probe >= count { position = count; return nil }
            if text[probe] == 0x0A { position = probe + 1; line += 1; continue }
            break
        }
        let rowLine = line
        while true {
            var field = Field(start: position, end: position, quoted: false)
            // Leading spaces before an opening quote are allowed.
            var probe = position
            while probe < count, text[probe] == 0x20 { probe += 1 }
            if probe < count, text[probe] == 0x22 {
                field.quoted = true
                field.start = probe + 1
                var p = probe + 1
                while true {
                    guard p < count else {
                        throw SyntaxError(line: rowLine, column: fields.count + 1,
                                          message: "quoted field is not closed before the end of the file")
                    }
                    let byte = text[p]
                    if byte == 0x22 {
                        if p + 1 < count, text[p + 1] == 0x22 { p += 2; continue }
                        break
                    }
                    if byte == 0x0A { line += 1 }
                    p += 1
                }
                field.end = p
                p += 1
                while p < count, text[p] == 0x20 || text[p] == 0x0D { p += 1 }
                if p < count, text[p] != delimiter, text[p] != 0x0A {
                    throw SyntaxError(line: line, column: fields.count + 1,
                                      message: "unexpected text after the closing quote of a field")
                }
                position = p
            } else {
                var p = position
                while p < count, text[p] != delimiter, text[p] != 0x0A { p += 1 }
                field.end = p
                // A line ending in CR LF: the CR is not part of the last field.
                if field.end > field.start, text[field.end - 1] == 0x0D, p >= count || text[p] == 0x0A {
                    field.end -= 1
                }
                position = p
            }
            fields.append(field)
            if position < count, text[position] == delimiter {
                position += 1
                continue
            }
            if position < count { position += 1; line += 1 }  // the newline
            return rowLine
        }
    }

    /// The text of a field, quotes undone and surrounding spaces trimmed.
    func string(_ field: Field) -> String {
        var bytes = Array(UnsafeBufferPointer(start: text + field.start, count: field.end - field.start))
        if field.quoted {
            var unescaped: [UInt8] = []
            unescaped.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                unescaped.append(bytes[i])
                i += (bytes[i] == 0x22 && i + 1 < bytes.count && bytes[i + 1] == 0x22) ? 2 : 1
            }
            bytes = unescaped
        } else {
            while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
            while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
