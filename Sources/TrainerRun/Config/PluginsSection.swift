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
public enum PluginsSection {
    static func read(_ table: ConfigReader) throws -> [PluginSettings] {
        let enabled = try table.strings("enabled")
        var parameters: [String: PluginSettings] = [:]
        for name in table.values.keys.sorted() where name != "enabled" && name != "every_rank" {
            guard let settingsTable = try table.table(name) else { continue }
            var settings = PluginSettings(id: name)
            for key in settingsTable.values.keys.sorted() {
                let value = settingsTable.raw(key)!
                settings.set(key, try parameterValue(value, key: key, in: settingsTable))
            }
            parameters[name.lowercased()] = settings
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
