import CTrainerPlugin

/// A value of a plugin parameter (`trainer_value_t`): what a run's configuration gives, a
/// schema's default, what `create` receives. The host, the Swift SDK and the tests share it.
public enum ParameterValue: Equatable, CustomStringConvertible, Sendable {
    /// No value: Keras's `None`. Only nullable parameters have it.
    case none
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    /// The value a C `trainer_value_t` holds; nil for an unknown type tag.
    public init?(_ raw: trainer_value_t) {
        switch Int32(raw.type) {
        case TRAINER_VALUE_NONE: self = .none
        case TRAINER_VALUE_BOOL: self = .bool(raw.int_value != 0)
        case TRAINER_VALUE_INT: self = .int(raw.int_value)
        case TRAINER_VALUE_DOUBLE: self = .double(raw.double_value)
        case TRAINER_VALUE_STRING: self = .string(raw.string_value.map { String(cString: $0) } ?? "")
        default: return nil
        }
    }

    /// The C value, a string as the C string `cString` makes of it (the caller keeps it alive
    /// as long as the value is read).
    public func raw(cString: (String) -> UnsafePointer<CChar>) -> trainer_value_t {
        var out = trainer_value_t()
        switch self {
        case .none: out.type = trainer_value_type_t(TRAINER_VALUE_NONE)
        case .bool(let b): out.type = trainer_value_type_t(TRAINER_VALUE_BOOL); out.int_value = b ? 1 : 0
        case .int(let i): out.type = trainer_value_type_t(TRAINER_VALUE_INT); out.int_value = i
        case .double(let d): out.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE); out.double_value = d
        case .string(let s): out.type = trainer_value_type_t(TRAINER_VALUE_STRING); out.string_value = cString(s)
        }
        return out
    }

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
    public static func format(_ d: Double) -> String {
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
