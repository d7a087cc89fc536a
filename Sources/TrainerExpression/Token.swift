/// One lexical unit of an expression, with the 1-based column of its first character.
struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case identifier(String)
        /// An operator or punctuation: `+ - * / < <= > >= == != && || ! ? : ( ) ,`.
        case symbol(String)
        case end
    }

    let kind: Kind
    let column: Int

    /// How an error message names the token: `'*'`, `'lr'`, `number 0.5`, `end of expression`.
    var shown: String {
        switch kind {
        case .number: return "a number"
        case .identifier(let name): return "'\(name)'"
        case .symbol(let symbol): return "'\(symbol)'"
        case .end: return "end of expression"
        }
    }
}

/// Splits an expression's text into tokens. Whitespace separates tokens and is otherwise
/// ignored. Numbers are decimal, with an optional fraction and exponent (`3`, `.5`, `1e-4`,
/// `2.5E+3`); identifiers are ASCII letters, digits and `_`, not starting with a digit.
enum Lexer {
    static let symbols2: Set<String> = ["<=", ">=", "==", "!=", "&&", "||"]
    static let symbols1: Set<Character> = ["+", "-", "*", "/", "<", ">", "!", "?", ":", "(", ")", ","]

    static func tokens(_ text: String) throws -> [Token] {
        let chars = Array(text.unicodeScalars).map(Character.init)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if c.isASCII && (c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber)) {
                let (value, next) = try number(chars, from: i)
                tokens.append(Token(kind: .number(value), column: column))
                i = next
            } else if c.isASCII && (c.isLetter || c == "_") {
                var j = i
                while j < chars.count && chars[j].isASCII && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
                tokens.append(Token(kind: .identifier(String(chars[i..<j])), column: column))
                i = j
            } else if i + 1 < chars.count && symbols2.contains(String([c, chars[i + 1]])) {
                tokens.append(Token(kind: .symbol(String([c, chars[i + 1]])), column: column))
                i += 2
            } else if symbols1.contains(c) {
                tokens.append(Token(kind: .symbol(String(c)), column: column))
                i += 1
            } else if c == "=" {
                throw ExpressionError(column: column, "unexpected '=' (use '==' to compare)")
            } else if c == "&" || c == "|" {
                throw ExpressionError(column: column, "unexpected '\(c)' (use '\(c)\(c)')")
            } else {
                throw ExpressionError(column: column, "unexpected character '\(c)'")
            }
        }
        tokens.append(Token(kind: .end, column: chars.count + 1))
        return tokens
    }

    /// Reads a number starting at `start`; returns it and the index after it.
    private static func number(_ chars: [Character], from start: Int) throws -> (Double, Int) {
        func isDigit(_ k: Int) -> Bool { k < chars.count && chars[k].isASCII && chars[k].isNumber }
        var j = start
        while isDigit(j) { j += 1 }
        if j < chars.count && chars[j] == "." {
            j += 1
            while isDigit(j) { j += 1 }
        }
        if j < chars.count && (chars[j] == "e" || chars[j] == "E") {
            var k = j + 1
            if k < chars.count && (chars[k] == "+" || chars[k] == "-") { k += 1 }
            guard isDigit(k) else {
                throw ExpressionError(column: k + 1, "expected the digits of an exponent, found "
                                      + (k < chars.count ? "'\(chars[k])'" : "end of expression"))
            }
            while isDigit(k) { k += 1 }
            j = k
        }
        if j < chars.count && chars[j].isASCII && (chars[j].isLetter || chars[j] == "_") {
            throw ExpressionError(column: j + 1, "unexpected '\(chars[j])' after a number")
        }
        let text = String(chars[start..<j])
        guard let value = Double(text) else {
            throw ExpressionError(column: start + 1, "malformed number '\(text)'")
        }
        return (value, j)
    }
}
