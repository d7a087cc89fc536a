import CTrainerPlugin
import Foundation
@_exported import TrainerABI

/// A parameter value as a run's configuration gives it (`--set name=value`, a plugins file) is
/// the shared `ParameterValue`; the tests pass it to `create` as the host does.
extension ParameterValue {
    /// The C value the host passes for a parameter of `spec`: an int given for a double is
    /// converted, as the host converts it. A string is copied with strdup and appended to
    /// `strings`, which the caller frees once `create` has returned.
    func cValue(for spec: trainer_param_spec_t, strings: inout [UnsafeMutablePointer<CChar>]) -> trainer_value_t {
        var value = trainer_value_t()
        switch self {
        case .none:
            value.type = trainer_value_type_t(TRAINER_VALUE_NONE)
        case .bool(let b):
            value.type = trainer_value_type_t(TRAINER_VALUE_BOOL)
            value.int_value = b ? 1 : 0
        case .int(let i) where spec.type == TRAINER_VALUE_DOUBLE:
            value.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE)
            value.double_value = Double(i)
        case .int(let i):
            value.type = trainer_value_type_t(TRAINER_VALUE_INT)
            value.int_value = i
        case .double(let d):
            value.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE)
            value.double_value = d
        case .string(let s):
            let copy = strdup(s)!
            strings.append(copy)
            value.type = trainer_value_type_t(TRAINER_VALUE_STRING)
            value.string_value = UnsafePointer(copy)
        }
        return value
    }
}
