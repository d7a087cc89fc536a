import CTrainerPlugin

/// A value of a plugin parameter, as the user gives it and as the host passes it on.
public enum ParameterValue: Equatable, CustomStringConvertible, Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return ParameterValue.format(d)
        case .string(let s): return "\"\(s)\""
        }
    }

    /// Shortest text that reads back as the same double ("0.001", "1e-07", "3.0").
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d > 0 ? "inf" : "-inf" }
        return "\(d)"
    }
}

extension ParameterValue: Codable {
    private enum CodingKeys: String, CodingKey { case type, value }

    /// `{"type": "double", "value": 0.5}`; `{"type": "none"}`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none: try container.encode("none", forKey: .type)
        case .bool(let b): try container.encode("bool", forKey: .type); try container.encode(b, forKey: .value)
        case .int(let i): try container.encode("int", forKey: .type); try container.encode(i, forKey: .value)
        case .double(let d): try container.encode("double", forKey: .type); try container.encode(d, forKey: .value)
        case .string(let s): try container.encode("string", forKey: .type); try container.encode(s, forKey: .value)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "none": self = .none
        case "bool": self = .bool(try container.decode(Bool.self, forKey: .value))
        case "int": self = .int(try container.decode(Int64.self, forKey: .value))
        case "double": self = .double(try container.decode(Double.self, forKey: .value))
        case "string": self = .string(try container.decode(String.self, forKey: .value))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown value type \(other)")
        }
    }
}

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
