/// A small arithmetic language for plugin parameters: a learning-rate schedule
/// (`epoch < 10 ? lr : lr * exp(-0.1)`), a stopping condition
/// (`accuracy > 0.98 && val_loss < 0.3`).
///
/// - Numbers: `3`, `0.5`, `.5`, `1e-4`. Everything is evaluated in `Double`.
/// - Names: the variables the plugin allows (`epoch`, `lr`, a log's name...), and the constants
///   `pi` and `e`.
/// - Operators, loosest first: `c ? a : b`; `||`; `&&`; `==` `!=`; `<` `<=` `>` `>=`; `+` `-`;
///   `*` `/`; unary `-` `+` `!`. Parentheses group. Comparisons do not chain.
/// - Functions: `exp log sqrt pow floor ceil abs min max cos sin` (`pow` takes two arguments,
///   `min` and `max` two or more, the others one).
/// - Booleans are numbers: a comparison, `&&`, `||` and `!` give 1 or 0, and any value other
///   than 0 counts as true. `&&`, `||` and `?:` evaluate only what they need.
///
/// Parsing checks everything it can: a tree deeper than `maximumDepth` levels (parentheses,
/// unary operators, function calls, or a chain of more binary operators than that), a syntax error, an unknown function, a wrong argument
/// count and (when the plugin gives the set of allowed names) an unknown name throw an
/// `ExpressionError` with the 1-based column, e.g. `column 12: expected ')', found end of
/// expression`. Evaluation itself never fails; a domain error gives NaN, as `log(-1)` in C.
///
/// ```swift
/// let schedule = try Expression("epoch < 10 ? lr : lr * exp(-0.1)",
///                               allowedVariables: ["epoch", "lr", "initial_lr"])
/// let rate = try schedule.evaluate(["epoch": 12, "lr": 0.01, "initial_lr": 0.01])
/// ```
public struct Expression: Sendable, CustomStringConvertible {
    /// The text it was parsed from.
    public let text: String
    /// The variables it uses, each once, in order of first appearance.
    public let variables: [String]
    private let root: Node

    /// The deepest an expression's tree may be: each parenthesised group, unary operator,
    /// function call and binary operator in a chain counts a level. Deeper text is refused at
    /// the column where it goes too deep, so no input can exhaust the stack.
    public static let maximumDepth = 256

    /// Parses `text`. With `allowedVariables`, any other name (not a constant, not a function)
    /// is an error at its column; with nil, every name is a variable, bound at evaluation.
    public init(_ text: String, allowedVariables: Set<String>?) throws {
        var parser = try Parser(text, allowedVariables: allowedVariables)
        root = try parser.parse()
        variables = parser.variables
        self.text = text
    }

    /// The value with variables given in the order of `variables` (`values.count` must be
    /// `variables.count`): the fast path for a plugin that binds the same names every time.
    public func evaluate(slots values: [Double]) -> Double {
        precondition(values.count == variables.count, "one value per variable of the expression")
        return root.evaluate(values)
    }

    /// The value with variables looked up by name. Throws `UnboundVariables` naming every
    /// variable of the expression that `lookup` does not know.
    public func evaluate(_ lookup: (String) -> Double?) throws -> Double {
        var values: [Double] = []
        values.reserveCapacity(variables.count)
        var missing: [String] = []
        for name in variables {
            if let value = lookup(name) { values.append(value) } else { missing.append(name) }
        }
        guard missing.isEmpty else { throw UnboundVariables(names: missing) }
        return root.evaluate(values)
    }

    /// The value with variables given in a dictionary (see `evaluate(_:)` with a closure).
    public func evaluate(_ values: [String: Double]) throws -> Double {
        try evaluate { values[$0] }
    }

    public var description: String { text }
}

/// Evaluation was asked without a value for some of the expression's variables.
public struct UnboundVariables: Error, Equatable, CustomStringConvertible, Sendable {
    /// The variables without a value, in the expression's order.
    public let names: [String]

    public init(names: [String]) {
        self.names = names
    }

    public var description: String {
        "no value for " + names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
