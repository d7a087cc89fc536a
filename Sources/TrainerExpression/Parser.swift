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
///
/// A tree deeper than `Expression.maximumDepth` (by parentheses, unary operators or a long
/// chain of binary ones) is refused at the column where it gets too deep, before the
/// recursion (here, in evaluation, or in freeing the tree) could exhaust the stack.
struct Parser {
    /// A parsed subtree and its height (1 for a leaf).
    private typealias Parsed = (node: Node, height: Int)

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
        let node = try conditional().node
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

    // MARK: - Depth

    /// Levels of recursion the parser is in: each one may add a level to the tree.
    private var depth = 0

    /// Runs `body` one level deeper; refuses to go past `Expression.maximumDepth`.
    private mutating func deeper<T>(_ body: (inout Parser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        try checkDepth(depth)
        return try body(&self)
    }

    /// Throws at the current token when a tree of `height` levels would be too deep.
    private func checkDepth(_ height: Int) throws {
        guard height <= Expression.maximumDepth else {
            throw ExpressionError(column: current.column,
                                  "the expression nests deeper than \(Expression.maximumDepth) levels "
                                  + "(parentheses, operators and function calls)")
        }
    }

    /// The node of a binary operator over `a` and `b`, its height checked.
    private func combine(_ a: Parsed, _ b: Parsed, _ make: (Node, Node) -> Node) throws -> Parsed {
        let height = max(a.height, b.height) + 1
        try checkDepth(height + depth)
        return (make(a.node, b.node), height)
    }

    // MARK: - Levels

    private mutating func conditional() throws -> Parsed {
        try deeper { parser in
            let condition = try parser.or()
            guard parser.take(["?"]) != nil else { return condition }
            let then = try parser.conditional()
            try parser.expect(":", " of the conditional")
            let otherwise = try parser.conditional()
            let height = max(condition.height, then.height, otherwise.height) + 1
            try parser.checkDepth(height + parser.depth)
            return (.conditional(condition.node, then.node, otherwise.node), height)
        }
    }

    private mutating func or() throws -> Parsed {
        var node = try and()
        while take(["||"]) != nil { node = try combine(node, try and(), Node.or) }
        return node
    }

    private mutating func and() throws -> Parsed {
        var node = try equality()
        while take(["&&"]) != nil { node = try combine(node, try equality(), Node.and) }
        return node
    }

    private mutating func equality() throws -> Parsed {
        let node = try comparison()
        guard let symbol = take(["==", "!="]) else { return node }
        let result = try combine(node, try comparison()) { .comparison(ComparisonOperator(rawValue: symbol)!, $0, $1) }
        if isSymbol("==") || isSymbol("!=") {
            throw ExpressionError(column: current.column, "comparisons do not chain: use '&&' or parentheses")
        }
        return result
    }

    private mutating func comparison() throws -> Parsed {
        let node = try additive()
        let relations: Set<String> = ["<", "<=", ">", ">="]
        guard let symbol = take(relations) else { return node }
        let result = try combine(node, try additive()) { .comparison(ComparisonOperator(rawValue: symbol)!, $0, $1) }
        if relations.contains(where: isSymbol) {
            throw ExpressionError(column: current.column, "comparisons do not chain: use '&&' or parentheses")
        }
        return result
    }

    private mutating func additive() throws -> Parsed {
        var node = try term()
        while let symbol = take(["+", "-"]) {
            node = try combine(node, try term()) { .arithmetic(ArithmeticOperator(rawValue: symbol)!, $0, $1) }
        }
        return node
    }

    private mutating func term() throws -> Parsed {
        var node = try unary()
        while let symbol = take(["*", "/"]) {
            node = try combine(node, try unary()) { .arithmetic(ArithmeticOperator(rawValue: symbol)!, $0, $1) }
        }
        return node
    }

    private mutating func unary() throws -> Parsed {
        if take(["-"]) != nil { return try deeper { parser in let a = try parser.unary(); return (.negate(a.node), a.height + 1) } }
        if take(["+"]) != nil { return try deeper { try $0.unary() } }
        if take(["!"]) != nil { return try deeper { parser in let a = try parser.unary(); return (.not(a.node), a.height + 1) } }
        return try primary()
    }

    private mutating func primary() throws -> Parsed {
        let token = current
        switch token.kind {
        case .number(let value):
            position += 1
            return (.number(value), 1)
        case .identifier(let name):
            position += 1
            if isSymbol("(") { return try call(name, at: token.column) }
            if let function = Function(rawValue: name) {
                throw ExpressionError(column: current.column, "expected '(' after the function \(function.rawValue), found \(current.shown)")
            }
            if let value = Constant.value(name) { return (.number(value), 1) }
            if let allowed, !allowed.contains(name) {
                let known = allowed.sorted().joined(separator: ", ")
                throw ExpressionError(column: token.column, "unknown name '\(name)' (known: \(known), pi, e)")
            }
            if let slot = variables.firstIndex(of: name) { return (.variable(slot), 1) }
            variables.append(name)
            return (.variable(variables.count - 1), 1)
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
    private mutating func call(_ name: String, at column: Int) throws -> Parsed {
        guard let function = Function(rawValue: name) else {
            throw ExpressionError(column: column, "unknown function '\(name)' (functions: \(Function.names))")
        }
        try expect("(")
        var arguments: [Node] = []
        var height = 1
        func argument(_ parsed: Parsed) {
            arguments.append(parsed.node)
            height = max(height, parsed.height + 1)
        }
        if !isSymbol(")") {
            argument(try conditional())
            while take([","]) != nil { argument(try conditional()) }
        }
        if !isSymbol(")") {
            throw ExpressionError(column: current.column, "expected ',' or ')' in the arguments of \(name), found \(current.shown)")
        }
        position += 1
        guard function.arity.contains(arguments.count) else {
            throw ExpressionError(column: column, "\(name) takes \(function.arityText), got \(arguments.count)")
        }
        return (.call(function, arguments), height)
    }
}
