import Foundation

/// Checks a user's setting against a parameter's schema, and reads settings given as text.
extension ParameterSpec {
    /// The value as the plugin will receive it (an int given for a double becomes a double),
    /// or a message saying what is wrong with it.
    public func validate(_ value: ParameterValue) -> Result<ParameterValue, ParameterError> {
        let coerced: ParameterValue
        switch (type, value) {
        case (_, .none):
            guard nullable else { return .failure(.init("\(name) cannot be none")) }
            return .success(.none)
        case (.bool, .bool), (.int, .int), (.double, .double), (.string, .string):
            coerced = value
        case (.double, .int(let i)):
            coerced = .double(Double(i))
        case (.int, .double(let d)) where d.rounded() == d && abs(d) < 9e15:
            coerced = .int(Int64(d))
        case (.string, .int(let i)):
            // Parameters such as save_freq take "epoch" or a number of batches.
            coerced = .string(String(i))
        default:
            return .failure(.init("\(name) must be \(article) \(type.rawValue), not \(value)"))
        }
        switch coerced {
        case .int(let i):
            if let problem = checkBounds(Double(i), shown: String(i)) { return .failure(problem) }
        case .double(let d):
            guard d.isFinite || (minimum == nil && maximum == nil) else {
                return .failure(.init("\(name) must be a finite number, not \(value)"))
            }
            if let problem = checkBounds(d, shown: ParameterValue.format(d)) { return .failure(problem) }
        case .string(let s):
            if !choices.isEmpty && !choices.contains(s) {
                return .failure(.init("\(name) must be \(constraintText), not \"\(s)\""))
            }
        default: break
        }
        return .success(coerced)
    }

    /// Reads a setting given on the command line (`--set key=value`) as this parameter's type:
    /// `true`/`false`, integers, decimals, `none` for a nullable parameter, text for strings
    /// (quotes optional).
    public func parse(text raw: String) -> Result<ParameterValue, ParameterError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let lowered = text.lowercased()
        if nullable && (lowered == "none" || lowered == "null") { return .success(.none) }
        let value: ParameterValue
        switch type {
        case .bool:
            switch lowered {
            case "true", "1", "yes", "on": value = .bool(true)
            case "false", "0", "no", "off": value = .bool(false)
            default: return .failure(.init("\(name) must be true or false, not \"\(text)\""))
            }
        case .int:
            guard let i = Int64(text) else {
                return .failure(.init("\(name) must be an integer, not \"\(text)\""))
            }
            value = .int(i)
        case .double:
            guard let d = Double(text) else {
                return .failure(.init("\(name) must be a number, not \"\(text)\""))
            }
            value = .double(d)
        case .string:
            var s = text
            if s.count >= 2, let first = s.first, first == s.last, first == "\"" || first == "'" {
                s = String(s.dropFirst().dropLast())
            }
            value = .string(s)
        }
        return validate(value)
    }

    private var article: String { type == .int ? "an" : "a" }

    /// `shown` is the value as given: an int near Int64.max has no Int64 once a Double.
    private func checkBounds(_ d: Double, shown: String) -> ParameterError? {
        if let lo = minimum, d < lo { return .init("\(name) must be \(constraintText), not \(shown)") }
        if let hi = maximum, d > hi { return .init("\(name) must be \(constraintText), not \(shown)") }
        return nil
    }
}

/// What is wrong with one parameter setting.
public struct ParameterError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
