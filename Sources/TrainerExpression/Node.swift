/// The parsed form of an expression: a tree evaluated in Double. Booleans are 1 and 0; any
/// value other than 0 (NaN included) counts as true.
indirect enum Node: Sendable {
    case number(Double)
    /// A variable, by its index in `Expression.variables`.
    case variable(Int)
    case negate(Node)
    case not(Node)
    case arithmetic(ArithmeticOperator, Node, Node)
    case comparison(ComparisonOperator, Node, Node)
    case and(Node, Node)
    case or(Node, Node)
    case conditional(Node, Node, Node)
    case call(Function, [Node])

    func evaluate(_ values: [Double]) -> Double {
        switch self {
        case .number(let v): return v
        case .variable(let slot): return values[slot]
        case .negate(let a): return -a.evaluate(values)
        case .not(let a): return a.evaluate(values) == 0 ? 1 : 0
        case .arithmetic(let op, let a, let b): return op.apply(a.evaluate(values), b.evaluate(values))
        case .comparison(let op, let a, let b): return op.apply(a.evaluate(values), b.evaluate(values)) ? 1 : 0
        case .and(let a, let b): return a.evaluate(values) != 0 && b.evaluate(values) != 0 ? 1 : 0
        case .or(let a, let b): return a.evaluate(values) != 0 || b.evaluate(values) != 0 ? 1 : 0
        case .conditional(let c, let a, let b): return c.evaluate(values) != 0 ? a.evaluate(values) : b.evaluate(values)
        case .call(let f, let args): return f.apply(args.map { $0.evaluate(values) })
        }
    }
}

enum ArithmeticOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    func apply(_ a: Double, _ b: Double) -> Double {
        switch self {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        }
    }
}

enum ComparisonOperator: String, Sendable {
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case equal = "==", notEqual = "!="

    func apply(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .equal: return a == b
        case .notEqual: return a != b
        }
    }
}
