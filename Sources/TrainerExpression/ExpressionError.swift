/// Why an expression could not be parsed: the 1-based column where the problem starts, and
/// what the parser expected or found there.
///
/// Its description reads `column 12: expected ')', found end of expression`, the form the
/// plugins put after the parameter's name ("schedule: column 12: ...").
public struct ExpressionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// 1-based column, counted in characters (Unicode scalars) of the expression's text.
    public let column: Int
    /// What went wrong, without the column: "expected ')', found end of expression".
    public let message: String

    public init(column: Int, _ message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }
}
