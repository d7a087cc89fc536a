import CTrainerPlugin

/// The kind of a parameter, from the plugin's schema.
public enum ParameterType: String, Codable, Sendable {
    case bool, int, double, string

    init?(abi: trainer_value_type_t) {
        switch Int32(abi) {
        case TRAINER_VALUE_BOOL: self = .bool
        case TRAINER_VALUE_INT: self = .int
        case TRAINER_VALUE_DOUBLE: self = .double
        case TRAINER_VALUE_STRING: self = .string
        default: return nil
        }
    }

    var abi: trainer_value_type_t {
        switch self {
        case .bool: return trainer_value_type_t(TRAINER_VALUE_BOOL)
        case .int: return trainer_value_type_t(TRAINER_VALUE_INT)
        case .double: return trainer_value_type_t(TRAINER_VALUE_DOUBLE)
        case .string: return trainer_value_type_t(TRAINER_VALUE_STRING)
        }
    }
}

/// One parameter of a plugin's schema, copied out of the plugin's descriptor.
public struct ParameterSpec: Codable, Equatable, Sendable {
    public var name: String
    public var type: ParameterType
    public var help: String
    public var defaultValue: ParameterValue
    public var nullable: Bool
    public var minimum: Double?
    public var maximum: Double?
    /// Allowed values of a string parameter; empty when any string is allowed.
    public var choices: [String]
    /// The run must set it (TRAINER_PARAM_REQUIRED, ABI 1.2); `defaultValue` is then unused.
    public var required: Bool

    public init(name: String, type: ParameterType, help: String = "", defaultValue: ParameterValue,
                nullable: Bool = false, minimum: Double? = nil, maximum: Double? = nil,
                choices: [String] = [], required: Bool = false) {
        self.required = required
        self.name = name
        self.type = type
        self.help = help
        self.defaultValue = defaultValue
        self.nullable = nullable
        self.minimum = minimum
        self.maximum = maximum
        self.choices = choices
    }

    /// "in [0, 1]", "one of min|max|auto", or "" when unconstrained.
    public var constraintText: String {
        if !choices.isEmpty { return "one of " + choices.joined(separator: "|") }
        switch (minimum, maximum) {
        case let (lo?, hi?): return "in [\(Self.bound(lo, type)), \(Self.bound(hi, type))]"
        case let (lo?, nil): return ">= \(Self.bound(lo, type))"
        case let (nil, hi?): return "<= \(Self.bound(hi, type))"
        default: return ""
        }
    }

    private static func bound(_ value: Double, _ type: ParameterType) -> String {
        type == .int ? (Int64(exactly: value).map(String.init) ?? ParameterValue.format(value)) : ParameterValue.format(value)
    }
}
