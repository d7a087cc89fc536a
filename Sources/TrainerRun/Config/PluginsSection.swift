import TrainerHost

/// The `[plugins]` part of a configuration file:
///
///     [plugins]
///     enabled = ["ProgbarLogger", "History", "StopAtAccuracy"]   # run in this order
///
///     [plugins.StopAtAccuracy]
///     threshold = 0.9
///
///     every_rank = ["MyMetricsPlugin"]   # under mpirun: created on every rank, not rank 0 only
///
/// Without `enabled`, a run uses Keras's defaults (ProgbarLogger, History). A parameter table
/// of a plugin that is not enabled is kept for when it is enabled again.
///
/// Two keys of a plugin's table are the host's, not parameters: `isolate = true` runs the
/// plugin in a plugin host of its own, and `on_plugin_failure = "disable" | "fail"` says what
/// its crash, exit or hang there does.
public enum PluginsSection {
    /// The host's keys in a plugin's table.
    static let isolateKey = "isolate"
    static let failureKey = "on_plugin_failure"
    static func read(_ table: ConfigReader) throws -> [PluginSettings] {
        let enabled = try table.strings("enabled")
        var parameters: [String: PluginSettings] = [:]
        for name in table.values.keys.sorted() where name != "enabled" && name != "every_rank" {
            guard let settingsTable = try table.table(name) else { continue }
            parameters[name.lowercased()] = try settings(name, settingsTable)
        }
        guard let enabled else { return RunConfig.defaultPlugins.map { parameters[$0.id.lowercased()] ?? $0 } }
        var seen = Set<String>()
        return try enabled.map { id in
            guard seen.insert(id.lowercased()).inserted else {
                throw table.error("enabled", "lists \(id) twice")
            }
            guard var settings = parameters[id.lowercased()] else { return PluginSettings(id: id) }
            settings.id = id
            return settings
        }
    }

    /// The settings of the table `[plugins.NAME]`: the host's keys, and the parameters.
    static func settings(_ name: String, _ table: ConfigReader) throws -> PluginSettings {
        var settings = PluginSettings(id: name)
        settings.isolate = try table.bool(isolateKey) ?? false
        if let policy = try table.string(failureKey) {
            guard let known = PluginFailurePolicy(rawValue: policy) else {
                throw table.error(failureKey, "must be \"disable\" or \"fail\", not \"\(policy)\"")
            }
            settings.onFailure = known
        }
        for key in table.values.keys.sorted() where key != isolateKey && key != failureKey {
            settings.set(key, try parameterValue(table.raw(key)!, key: key, in: table))
        }
        return settings
    }

    static func parameterValue(_ value: ConfigValue, key: String, in table: ConfigReader) throws -> ParameterValue {
        switch value {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array, .table:
            throw table.error(key, "must be a boolean, a number or a string, not \(value.kind)")
        }
    }
}
