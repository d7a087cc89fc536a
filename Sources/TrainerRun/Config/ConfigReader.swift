/// Typed access to one table of a configuration file, with errors that name the file and the
/// full key, and a check that no unknown key was given (a typo is an error, not a default).
final class ConfigReader {
    let source: String
    /// Dotted path of this table ("" for the top level).
    let path: String
    let values: [String: ConfigValue]
    private var used: Set<String> = []

    init(source: String, path: String = "", values: [String: ConfigValue]) {
        self.source = source
        self.path = path
        self.values = values
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func error(_ name: String?, _ message: String) -> ConfigError {
        ConfigError(source: source, key: name.map(key) ?? (path.isEmpty ? nil : path), message)
    }

    func has(_ name: String) -> Bool { values[name] != nil }

    func raw(_ name: String) -> ConfigValue? {
        used.insert(name)
        return values[name]
    }

    func int(_ name: String) throws -> Int? {
        guard let value = raw(name) else { return nil }
        guard case .int(let i) = value else { throw error(name, "must be an integer, not \(value.kind) (\(value))") }
        return i
    }

    func int(_ name: String, atLeast minimum: Int) throws -> Int? {
        guard let i = try int(name) else { return nil }
        guard i >= minimum else { throw error(name, "must be at least \(minimum), not \(i)") }
        return i
    }

    /// A number; `nan` and `inf` are refused (no setting of a run means them).
    func double(_ name: String) throws -> Double? {
        guard let value = raw(name) else { return nil }
        switch value {
        case .double(let d):
            guard d.isFinite else { throw error(name, "must be a finite number, not \(d)") }
            return d
        case .int(let i): return Double(i)
        default: throw error(name, "must be a number, not \(value.kind) (\(value))")
        }
    }

    func string(_ name: String) throws -> String? {
        guard let value = raw(name) else { return nil }
        guard case .string(let s) = value else { throw error(name, "must be a string, not \(value.kind) (\(value))") }
        return s
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = raw(name) else { return nil }
        guard case .bool(let b) = value else { throw error(name, "must be true or false, not \(value.kind) (\(value))") }
        return b
    }

    func strings(_ name: String) throws -> [String]? {
        guard let value = raw(name) else { return nil }
        guard case .array(let items) = value else { throw error(name, "must be an array of strings, not \(value.kind)") }
        return try items.map { item in
            guard case .string(let s) = item else { throw error(name, "must be an array of strings, not \(value)") }
            return s
        }
    }

    func table(_ name: String) throws -> ConfigReader? {
        guard let value = raw(name) else { return nil }
        guard case .table(let t) = value else { throw error(name, "must be a table, not \(value.kind)") }
        return ConfigReader(source: source, path: key(name), values: t)
    }

    /// An array of tables (`[[name]]`).
    func tables(_ name: String) throws -> [ConfigReader]? {
        guard let value = raw(name) else { return nil }
        guard case .array(let items) = value else { throw error(name, "must be an array of tables, not \(value.kind)") }
        return try items.enumerated().map { index, item in
            guard case .table(let t) = item else { throw error(name, "must be an array of tables ([[\(key(name))]])") }
            return ConfigReader(source: source, path: "\(key(name))[\(index)]", values: t)
        }
    }

    /// Fails on the first key never read, listing the keys this table knows.
    func rejectUnknownKeys(known: [String]) throws {
        for name in values.keys.sorted() where !used.contains(name) {
            throw error(name, "unknown key (known keys: \(known.joined(separator: ", ")))")
        }
    }
}
