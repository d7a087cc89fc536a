import CTrainerPlugin

/// A schema entry reduced to what tests compare: name, type and default, the default written
/// as a run's configuration would write it ("none", "true", "0.1", "\"val_loss\"").
public struct SpecSummary: Equatable, CustomStringConvertible {
    public var name: String
    public var type: trainer_value_type_t
    public var defaultValue: String

    /// The summary of a plugin's spec.
    public init(_ spec: trainer_param_spec_t) {
        name = string(spec.name)
        type = spec.type
        let value = spec.default_value
        switch value.type {
        case trainer_value_type_t(TRAINER_VALUE_NONE): defaultValue = "none"
        case trainer_value_type_t(TRAINER_VALUE_BOOL): defaultValue = value.int_value != 0 ? "true" : "false"
        case trainer_value_type_t(TRAINER_VALUE_INT): defaultValue = "\(value.int_value)"
        case trainer_value_type_t(TRAINER_VALUE_DOUBLE): defaultValue = "\(value.double_value)"
        default: defaultValue = "\"\(string(value.string_value))\""
        }
    }

    /// An expected summary, e.g. `SpecSummary("patience", intType, "0")`.
    public init(_ name: String, _ type: Int32, _ defaultValue: String) {
        self.name = name
        self.type = trainer_value_type_t(type)
        self.defaultValue = defaultValue
    }

    public var description: String { "\(name): \(type) = \(defaultValue)" }
}

/// The value types, short, for expected summaries.
public let boolType = TRAINER_VALUE_BOOL, intType = TRAINER_VALUE_INT
public let doubleType = TRAINER_VALUE_DOUBLE, stringType = TRAINER_VALUE_STRING
