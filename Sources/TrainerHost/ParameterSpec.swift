import CTrainerPlugin

/// What the host says about a parameter of a schema (`ParameterSpec` itself is TrainerABI's).
extension ParameterSpec {
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
