/// The parameter values a run gives a plugin instance, with typed access by name.
///
/// Every parameter of the schema has a value (the host fills in defaults and validates types
/// and bounds), so the accessors fail only on a programming error: a name that is not in the
/// schema, or a type that differs from the declared one. They throw rather than trap, so such
/// a mistake becomes a clear "cannot create plugin" error instead of a crash of the host.
///
/// ```swift
/// let patience = try parameters.int("patience")
/// let baseline = try parameters.optionalDouble("baseline")   // nil for None
/// ```
public struct Parameters: Sendable {
    /// The names, in schema order.
    public let names: [String]
    private let values: [String: ParameterValue]

    /// Values by name, in the given order. Plugins get theirs from the SDK; this initializer
    /// is for tests that create a plugin without a host's C tables.
    public init(_ pairs: [(String, ParameterValue)]) {
        var names: [String] = []
        var values: [String: ParameterValue] = [:]
        for (name, value) in pairs where values.updateValue(value, forKey: name) == nil {
            names.append(name)
        }
        self.names = names
        self.values = values
    }

    /// The value named `name`, or nil when there is none of that name.
    public subscript(name: String) -> ParameterValue? { values[name] }

    public var count: Int { names.count }

    /// A double parameter (an int value is converted). Throws when absent, none, or not a number.
    public func double(_ name: String) throws -> Double {
        guard let value = try optionalDouble(name) else { throw noneError(name) }
        return value
    }

    /// A nullable double parameter: nil for none.
    public func optionalDouble(_ name: String) throws -> Double? {
        switch try value(name) {
        case .none: return nil
        case .double(let v): return v
        case .int(let v): return Double(v)
        case let other: throw typeError(name, "a number", other)
        }
    }

    /// An int parameter. Throws when absent, none, or not an int.
    public func int(_ name: String) throws -> Int {
        guard let value = try optionalInt(name) else { throw noneError(name) }
        return value
    }

    /// A nullable int parameter: nil for none.
    public func optionalInt(_ name: String) throws -> Int? {
        switch try value(name) {
        case .none: return nil
        case .int(let v): return Int(v)
        case .double(let v) where v.rounded() == v && abs(v) < 9.0e18: return Int(v)
        case let other: throw typeError(name, "an int", other)
        }
    }

    /// A bool parameter. Throws when absent, none, or not a bool.
    public func bool(_ name: String) throws -> Bool {
        guard let value = try optionalBool(name) else { throw noneError(name) }
        return value
    }

    /// A nullable bool parameter: nil for none.
    public func optionalBool(_ name: String) throws -> Bool? {
        switch try value(name) {
        case .none: return nil
        case .bool(let v): return v
        case let other: throw typeError(name, "a bool", other)
        }
    }

    /// A string parameter. Throws when absent, none, or not a string.
    public func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else { throw noneError(name) }
        return value
    }

    /// A nullable string parameter: nil for none.
    public func optionalString(_ name: String) throws -> String? {
        switch try value(name) {
        case .none: return nil
        case .string(let v): return v
        case let other: throw typeError(name, "a string", other)
        }
    }

    private func value(_ name: String) throws -> ParameterValue {
        guard let value = values[name] else {
            throw PluginError("parameter '\(name)' is not in the schema")
        }
        return value
    }

    private func noneError(_ name: String) -> PluginError {
        PluginError("parameter '\(name)' is none but a value is required")
    }

    private func typeError(_ name: String, _ expected: String, _ got: ParameterValue) -> PluginError {
        PluginError("parameter '\(name)' should be \(expected), got \(got)")
    }
}
