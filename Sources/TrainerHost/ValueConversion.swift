import CTrainerPlugin

/// Converts between `trainer_value_t` and `ParameterValue`.
enum ValueConversion {
    /// nil for an unknown type tag.
    static func read(_ value: trainer_value_t) -> ParameterValue? {
        switch Int32(value.type) {
        case TRAINER_VALUE_NONE: return ParameterValue.none
        case TRAINER_VALUE_BOOL: return .bool(value.int_value != 0)
        case TRAINER_VALUE_INT: return .int(value.int_value)
        case TRAINER_VALUE_DOUBLE: return .double(value.double_value)
        case TRAINER_VALUE_STRING:
            return .string(value.string_value.map { String(cString: $0) } ?? "")
        default: return nil
        }
    }
}
