/// A TOML file as a list of statements, each owning whole lines of the text, so a program can
/// change one key's value, add a key or a table, and write every other line (comments, blank
/// lines, spacing) back exactly as it was.
///
/// It reads structure only: table headers, keys with the extent of their values, comments.
/// The text is expected to be valid TOML (check it with a real parser first); on anything
/// else it still ends, and every line still belongs to exactly one statement.
struct TOMLDocument {
    /// What a statement is.
    enum Kind: Equatable {
        /// Blank lines and whole-line comments.
        case trivia
        /// `[a.b]` (or `[[a.b]]` when `array`), with its key's parts unquoted.
        case table([String], array: Bool)
        /// `a.b = value`, with the key's parts unquoted.
        case keyValue([String])
    }

    /// One statement and the lines it spans.
    struct Statement: Equatable {
        var kind: Kind
        /// The lines of text, without their "\n" (a "\r" before it stays part of the line).
        var lines: [String]
        /// The key as written (`a."b c"`), for a key/value.
        var keyText = ""
        /// The spaces before the statement on its first line.
        var indentation = ""
        /// The comment after the statement on its last line, with its `#`.
        var trailingComment: String?
        /// Whole comments found inside a multi-line value (an array over several lines).
        var innerComments: [String] = []
    }

    var statements: [Statement]
    /// "\r\n" when the file's first line ends so, else "\n": how new lines end.
    let lineEnd: String

    init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        lineEnd = scalars.firstIndex(of: "\n").map { $0 > 0 && scalars[$0 - 1] == "\r" } == true ? "\r\n" : "\n"
        var scanner = Scanner(scalars)
        statements = []
        while let statement = scanner.statement() { statements.append(statement) }
    }

    /// The document's text, without a "\n" after its last line: the text it was read from
    /// (less that last "\n") until statements change.
    var text: String {
        statements.flatMap(\.lines).joined(separator: "\n")
    }

    /// `text` as a new line of this document (ending in "\r" when its lines end in "\r\n").
    func line(_ text: String) -> String {
        lineEnd == "\r\n" ? text + "\r" : text
    }

    /// The first table header whose key does not start as a key must (with a letter, digit,
    /// `_`, `-` or a quote): its 1-based line and column and the character found there. The
    /// TOML parser the configuration is read with asserts on such a header instead of
    /// reporting it, so it is found here first.
    func headerWithoutKey() -> (line: Int, column: Int, found: String)? {
        var line = 1
        for statement in statements {
            defer { line += statement.lines.count }
            guard case .table = statement.kind, let first = statement.lines.first else { continue }
            let scalars = Array(first.unicodeScalars)
            var i = 0
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            var brackets = 0
            while i < scalars.count, scalars[i] == "[", brackets < 2 { i += 1; brackets += 1 }
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            guard i < scalars.count else { return (line, i + 1, "the end of the line") }
            let c = scalars[i]
            if Scanner.isBareKeyCharacter(c) || c == "\"" || c == "'" { continue }
            return (line, i + 1, "'\(c)'")
        }
        return nil
    }

    /// The table a statement at `index` is in: the key of the last header before it ([] for
    /// the top level), and whether that header is an array of tables.
    func table(at index: Int) -> (key: [String], array: Bool) {
        var i = index
        while i >= 0 {
            if case let .table(key, array) = statements[i].kind { return (key, array) }
            i -= 1
        }
        return ([], false)
    }

    /// The full key of a key/value statement (its table's key, then its own), or nil.
    func fullKey(at index: Int) -> [String]? {
        guard case let .keyValue(key) = statements[index].kind else { return nil }
        let table = table(at: index)
        return table.array ? nil : table.key + key
    }

    /// A key/value statement with `key` as its text and the value `literal`, keeping the
    /// indentation and comments of `old` (inner comments become whole-line comments before it).
    func keyValue(_ keyParts: [String], keyText: String, literal: String, replacing old: Statement? = nil) -> Statement {
        let indentation = old?.indentation ?? ""
        var text = "\(indentation)\(keyText) = \(literal)"
        if let comment = old?.trailingComment { text += "  " + comment }
        let comments = (old?.innerComments ?? []).map { line(indentation + $0) }
        return Statement(kind: .keyValue(keyParts), lines: comments + [line(text)], keyText: keyText,
                         indentation: indentation, trailingComment: old?.trailingComment)
    }

    /// Reads statements from the characters of a TOML text.
    private struct Scanner {
        let text: [Unicode.Scalar]
        var position = 0

        init(_ text: [Unicode.Scalar]) { self.text = text }

        var atEnd: Bool { position >= text.count }
        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            position + offset < text.count ? text[position + offset] : nil
        }

        func string(_ range: Range<Int>) -> String {
            var out = String.UnicodeScalarView()
            out.append(contentsOf: text[range])
            return String(out)
        }

        mutating func skipSpaces() {
            while let c = peek(), c == " " || c == "\t" { position += 1 }
        }

        /// A comment from `#` to the end of the line (not including it).
        mutating func comment() -> String? {
            guard peek() == "#" else { return nil }
            let start = position
            while let c = peek(), c != "\n" { position += 1 }
            var end = position
            if end > start, text[end - 1] == "\r" { end -= 1 }
            return string(start ..< end)
        }

        /// Moves past the rest of the line and its line end.
        mutating func finishLine() {
            while let c = peek(), c != "\n" { position += 1 }
            if peek() == "\n" { position += 1 }
        }

        /// The lines of text from `start` to the current position (which is at a line start
        /// or the end), without their "\n".
        func lines(from start: Int) -> [String] {
            var end = min(position, text.count)
            if end > start, text[end - 1] == "\n" { end -= 1 }
            var lines: [String] = []
            var lineStart = start
            for i in start ..< end where text[i] == "\n" {
                lines.append(string(lineStart ..< i))
                lineStart = i + 1
            }
            lines.append(string(lineStart ..< end))
            return lines
        }

        mutating func statement() -> Statement? {
            guard !atEnd else { return nil }
            let start = position
            skipSpaces()
            let indentation = string(start ..< position)
            switch peek() {
            case nil, "\n", "\r", "#":
                finishLine()
                return Statement(kind: .trivia, lines: lines(from: start))
            case "[":
                position += 1
                let array = peek() == "["
                if array { position += 1 }
                let key = self.key()
                while let c = peek(), c == "]" || c == " " || c == "\t" { position += 1 }
                let trailing = comment()
                finishLine()
                return Statement(kind: .table(key.parts, array: array), lines: lines(from: start),
                                 indentation: indentation, trailingComment: trailing)
            default:
                let key = self.key()
                skipSpaces()
                if peek() == "=" { position += 1 }
                skipSpaces()
                var inner: [String] = []
                value(comments: &inner)
                skipSpaces()
                let trailing = comment()
                finishLine()
                return Statement(kind: .keyValue(key.parts), lines: lines(from: start), keyText: key.text,
                                 indentation: indentation, trailingComment: trailing, innerComments: inner)
            }
        }

        /// A dotted key; stops at `=`, `]`, a comment or the line's end.
        mutating func key() -> (parts: [String], text: String) {
            var parts: [String] = []
            let start = position
            var end = position
            while true {
                skipSpaces()
                guard let c = peek(), c != "=", c != "]", c != "#", c != "\n", c != "\r" else { break }
                if c == "\"" || c == "'" {
                    parts.append(quoted())
                } else {
                    let partStart = position
                    while let d = peek(), Scanner.isBareKeyCharacter(d) { position += 1 }
                    if position == partStart { position += 1 }  // not a key character: step over it
                    parts.append(string(partStart ..< position))
                }
                end = position
                skipSpaces()
                if peek() == "." { position += 1 } else { break }
            }
            return (parts, string(start ..< end))
        }

        static func isBareKeyCharacter(_ c: Unicode.Scalar) -> Bool {
            ("a" ... "z").contains(c) || ("A" ... "Z").contains(c) || ("0" ... "9").contains(c) || c == "_" || c == "-"
        }

        /// A one-line string, quotes undone (escapes kept as written but for `\"` and `\\`).
        mutating func quoted() -> String {
            let quote = text[position]
            position += 1
            var out = String.UnicodeScalarView()
            while let c = peek(), c != quote, c != "\n" {
                if quote == "\"", c == "\\", let next = peek(1) {
                    out.append(next)
                    position += 2
                    continue
                }
                out.append(c)
                position += 1
            }
            if peek() == quote { position += 1 }
            return String(out)
        }

        /// Moves past one value, of any kind, collecting the comments inside arrays.
        mutating func value(comments: inout [String]) {
            guard let c = peek() else { return }
            switch c {
            case "\"", "'":
                if peek(1) == c, peek(2) == c {
                    position += 3
                    while !atEnd {
                        if c == "\"", peek() == "\\" { position += 2; continue }
                        if peek() == c, peek(1) == c, peek(2) == c {
                            position += 3
                            while peek() == c { position += 1 }  // up to two quotes end the content
                            return
                        }
                        position += 1
                    }
                } else {
                    _ = quoted()
                }
            case "[", "{":
                let close: Unicode.Scalar = c == "[" ? "]" : "}"
                position += 1
                while !atEnd {
                    while let d = peek(), d == " " || d == "\t" || d == "\n" || d == "\r" || d == "," || d == "=" {
                        position += 1
                    }
                    if let text = comment() { comments.append(text); continue }
                    guard let d = peek() else { return }
                    if d == close { position += 1; return }
                    if d == "]" || d == "}" { position += 1; continue }  // mismatched: step over
                    let before = position
                    if c == "{" {
                        _ = key()
                        skipSpaces()
                        if peek() == "=" { position += 1 }
                        skipSpaces()
                    }
                    value(comments: &comments)
                    if position == before { position += 1 }
                }
            default:
                while let d = peek(), d != " ", d != "\t", d != "\n", d != "\r", d != "#", d != ",", d != "]", d != "}" {
                    position += 1
                }
            }
        }
    }
}
