/// A recursive-descent parser from tokens to a `Node` tree. One function per precedence
/// level, loosest first:
///
///     conditional := or ('?' conditional ':' conditional)?
///     or          := and ('||' and)*
///     and         := equality ('&&' equality)*
///     equality    := comparison (('==' | '!=') comparison)?
///     comparison  := additive (('<' | '<=' | '>' | '>=') additive)?
///     additive    := term (('+' | '-') term)*
///     term        := unary (('*' | '/') unary)*
///     unary       := ('-' | '+' | '!') unary | primary
///     primary     := number | constant | variable | function '(' args ')' | '(' conditional ')'
///
/// Comparisons do not chain: `0 < x < 1` is an error (it means something else in C than in
/// Python), so write `0 < x && x < 1`.
struct Parser {
    private let tokens: [Token]
    private var position = 0
    private let allowed: Set<String>?
    /// Variable names in order of first use; a `.variable(i)` node refers to `variables[i]`.
    private(set) var variables: [String] = []

    init(_ text: String, allowedVariables: Set<String>?) throws {
        tokens = try Lexer.tokens(text)
        allowed = allowedVariables
    }

    /// Parses the whole text; anything left after a complete expression is an error.
    mutating func parse() throws -> Node {
        if case .end = current.kind {
            throw ExpressionError(column: current.column, "expected an expression, found nothing")
        }
        let node = try conditional()
        guard case .end = current.kind else {
            throw ExpressionError(column: current.column, "expected an operator or the end of the expression, found \(current.shown)")
        }
        return node
    }

    // MARK: - Tokens

    private var current: Token { tokens[position] }

    private func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let s) = current.kind { return s == symbol }
        return false
    }

    /// Consumes the current token when it is one of `symbols`; returns it.
    private mutating func take(_ symbols: Set<String>) -> String? {
        if case .symbol(let s) = current.kind, symbols.contains(s) {
            position += 1
            return s
        }
        return nil
    }

    private mutating func expect(_ symbol: String, _ context: String = "") throws {
        guard take([symbol]) != nil else {
            throw ExpressionError(column: current.column, "expected '\(symbol)'\(context), found \(current.shown)")
        }
    }

    // MARK: - Levels

    private mutating func conditional() throws -> Node {
        let condition = try or()
        guard take(["?"]) != nil else { return condition }
        let then = try conditional()
        try expect(":", " of the conditional")
        let otherwise = try conditional()
        return .conditional(condition, then, otherwise)
    }

    private mutating func or() throws -> Node {
        var node = try and()
        while take(["||"]) != nil { node = .or(node, try and()) }
        return node
    }

    private mutating func and() throws -> Node {
        var node = try equality()
        while take(["&&"]) != nil { node = .and(node, try equality()) }
        return node
    }

    private mutating func equality() throws -> Node {
        let node = try comparison()
        guard let symbol = take(["==", "!="]) else { return node }
        let result = Node.comparison(ComparisonOperator(rawValue: symbol)!, node, try comparison())
        if isSymbol("==") || isSymbol("!=") {
            throw ExpressionError(column: current.column, "comparisons do not chain: use '&&' or parentheses")
        }
        return result
    }

    private mutating func comparison() throws -> Node {
        let node = try additive()
        let relations: Set<String> = ["<", "<=", ">", ">="]
        guard let symbol = take(relations) else { return node }
        let result = Node.comparison(ComparisonOperator(rawValue: symbol)!, node, try additive())
        if relations.contains(where: isSymbol) {
            throw ExpressionError(column: current.column, "comparisons do not chain: use '&&' or parentheses")
        }
        return result
    }

    private mutating func additive() throws -> Node {
        var node = try term()
        while let symbol = take(["+", "-"]) {
            node = .arithmetic(ArithmeticOperator(rawValue: symbol)!, node, try term())
        }
        return node
    }

    private mutating func term() throws -> Node {
        var node = try unary()
        while let symbol = take(["*", "/"]) {
            node = .arithmetic(ArithmeticOperator(rawValue: symbol)!, node, try unary())
        }
        return node
    }

    private mutating func unary() throws -> Node {
        if take(["-"]) != nil { return .negate(try unary()) }
        if take(["+"]) != nil { return try unary() }
        if take(["!"]) != nil { return .not(try unary()) }
        return try primary()
    }

    private mutating func primary() throws -> Node {
        let token = current
        switch token.kind {
        case .number(let value):
            position += 1
            return .number(value)
        case .identifier(let name):
            position += 1
            if isSymbol("(") { return try call(name, at: token.column) }
            if let function = Function(rawValue: name) {
                throw ExpressionError(column: current.column, "expected '(' after the function \(function.rawValue), found \(current.shown)")
            }
            if let value = Constant.value(name) { return .number(value) }
            if let allowed, !allowed.contains(name) {
                let known = allowed.sorted().joined(separator: ", ")
                throw ExpressionError(column: token.column, "unknown name '\(name)' (known: \(known), pi, e)")
            }
            if let slot = variables.firstIndex(of: name) { return .variable(slot) }
            variables.append(name)
            return .variable(variables.count - 1)
        case .symbol("("):
            position += 1
            let inner = try conditional()
            try expect(")")
            return inner
        default:
            throw ExpressionError(column: token.column, "expected a number, a name or '(', found \(token.shown)")
        }
    }

    /// `name(` has been read up to the name; reads the arguments and the closing parenthesis.
    private mutating func call(_ name: String, at column: Int) throws -> Node {
        guard let function = Function(rawValue: name) else {
            throw ExpressionError(column: column, "unknown function '\(name)' (functions: \(Function.names))")
        }
        try expect("(")
        var arguments: [Node] = []
        if !isSymbol(")") {
            arguments.append(try conditional())
            while take([","]) != nil { arguments.append(try conditional()) }
        }
        if !isSymbol(")") {
            throw ExpressionError(column: current.column, "expected ',' or ')' in the arguments of \(name), found \(current.shown)")
        }
        position += 1
        guard function.arity.contains(arguments.count) else {
            throw ExpressionError(column: column, "\(name) takes \(function.arityText), got \(arguments.count)")
        }
        return .call(function, arguments)
    }
}
