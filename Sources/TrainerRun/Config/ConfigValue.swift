import TOMLKit

/// A value read from a configuration file, free of the TOML library's types.
public indirect enum ConfigValue: Equatable, CustomStringConvertible, Sendable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case table([String: ConfigValue])

    public var description: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .table(let t): return "{" + t.keys.sorted().map { "\($0) = \(t[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// What kind of value this is, for error messages.
    public var kind: String {
        switch self {
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    init?(toml value: TOMLValueConvertible) {
        switch value.type {
        case .bool: self = .bool(value.bool!)
        case .int: self = .int(value.int!)
        case .double: self = .double(value.double!)
        case .string: self = .string(value.string!)
        case .array:
            var items: [ConfigValue] = []
            for item in value.array! {
                guard let converted = ConfigValue(toml: item) else { return nil }
                items.append(converted)
            }
            self = .array(items)
        case .table:
            var entries: [String: ConfigValue] = [:]
            let table = value.table!
            for key in table.keys {
                guard let converted = ConfigValue(toml: table[key]!) else { return nil }
                entries[key] = converted
            }
            self = .table(entries)
        default:
            return nil
        }
    }
}
