import CTrainerPlugin

/// The type of a parameter's values (`trainer_value_type_t` but none).
public enum ParameterType: String, Codable, Sendable {
    case bool, int, double, string

    public init?(abi: trainer_value_type_t) {
        switch Int32(abi) {
        case TRAINER_VALUE_BOOL: self = .bool
        case TRAINER_VALUE_INT: self = .int
        case TRAINER_VALUE_DOUBLE: self = .double
        case TRAINER_VALUE_STRING: self = .string
        default: return nil
        }
    }

    public var abi: trainer_value_type_t {
        switch self {
        case .bool: return trainer_value_type_t(TRAINER_VALUE_BOOL)
        case .int: return trainer_value_type_t(TRAINER_VALUE_INT)
        case .double: return trainer_value_type_t(TRAINER_VALUE_DOUBLE)
        case .string: return trainer_value_type_t(TRAINER_VALUE_STRING)
        }
    }
}

/// One parameter of a plugin's schema (`trainer_param_spec_t`): what a Swift plugin declares,
/// and what the host reads back out of any plugin's descriptor. The host, the Swift SDK and the
/// scan cache share it.
public struct ParameterSpec: Codable, Equatable, Sendable {
    /// Keras's parameter name, e.g. "patience".
    public var name: String
    public var type: ParameterType
    /// One line for `trainer plugins info`.
    public var help: String
    /// The value used when a run does not set the parameter; `.none` only when nullable.
    public var defaultValue: ParameterValue
    /// Whether the parameter may be none (Keras: `None`).
    public var nullable: Bool
    /// Inclusive bounds (int and double only).
    public var minimum: Double?
    public var maximum: Double?
    /// Allowed values of a string parameter; empty when any string is allowed.
    public var choices: [String]
    /// The run must set it (TRAINER_PARAM_REQUIRED, ABI 1.2); `defaultValue` is then unused.
    public var required: Bool

    public init(name: String, type: ParameterType, help: String = "", defaultValue: ParameterValue,
                nullable: Bool = false, minimum: Double? = nil, maximum: Double? = nil,
                choices: [String] = [], required: Bool = false) {
        self.name = name
        self.type = type
        self.help = help
        self.defaultValue = defaultValue
        self.nullable = nullable
        self.minimum = minimum
        self.maximum = maximum
        self.choices = choices
        self.required = required
    }
}
