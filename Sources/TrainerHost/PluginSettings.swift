import Logging

/// One plugin a run enables, with the parameters the user set (the rest take defaults).
public struct PluginSettings: Equatable, Sendable {
    public var id: String
    public var values: [(key: String, value: ParameterValue)]
    /// Run the plugin in a plugin host of its own (`isolate = true`, or `--isolate`).
    public var isolate: Bool
    /// What a failure of the isolated plugin does (`on_plugin_failure`); nil: "disable".
    public var onFailure: PluginFailurePolicy?

    public init(id: String, values: [(key: String, value: ParameterValue)] = [], isolate: Bool = false,
                onFailure: PluginFailurePolicy? = nil) {
        self.id = id
        self.values = values
        self.isolate = isolate
        self.onFailure = onFailure
    }

    public static func == (a: PluginSettings, b: PluginSettings) -> Bool {
        a.id == b.id && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
            && a.isolate == b.isolate && a.onFailure == b.onFailure
    }

    /// Sets (or replaces) one parameter, keeping first-set order.
    public mutating func set(_ key: String, _ value: ParameterValue) {
        if let i = values.firstIndex(where: { $0.key == key }) {
            values[i].value = value
        } else {
            values.append((key, value))
        }
    }

    /// The value set for `key`, if any.
    public func value(_ key: String) -> ParameterValue? {
        values.first { $0.key == key }?.value
    }
}

/// A problem with a run's plugin settings, naming the plugin and the key.
public struct PluginSettingsError: Error, CustomStringConvertible {
    public var plugin: String
    public var key: String?
    public var message: String

    public init(plugin: String, key: String?, message: String) {
        self.plugin = plugin
        self.key = key
        self.message = message
    }

    /// A key the plugin's schema does not have.
    public static func unknownParameter(_ key: String, of plugin: ScannedPlugin) -> PluginSettingsError {
        let known = plugin.descriptor.parameters.map(\.name).joined(separator: ", ")
        return PluginSettingsError(plugin: plugin.id, key: key,
                                   message: "unknown parameter" + (known.isEmpty ? " (it takes none)" : " (parameters: \(known))"))
    }

    public var description: String {
        if let key { return "plugin \(plugin), parameter \(key): \(message)" }
        return "plugin \(plugin): \(message)"
    }
}

/// A plugin a run enables that is not loaded: others could have changed its file, or the file
/// is not the one approved (`PluginPins`). A configuration problem: the command exits 2.
public struct PluginRefused: Error, CustomStringConvertible {
    public var plugin: String
    public var reason: String

    public init(plugin: String, reason: String) {
        self.plugin = plugin
        self.reason = reason
    }

    public var description: String { "plugin \(plugin) is refused: \(reason)" }
}

extension PluginRegistry {
    /// Checks settings against the plugin's schema: the plugin exists, every key is a
    /// parameter, every value fits. Returns the plugin and one value per schema entry.
    public func resolve(_ settings: PluginSettings) throws -> (ScannedPlugin, [ParameterValue]) {
        guard let plugin = plugin(id: settings.id) else {
            if let refused = insecureFile(id: settings.id) { throw PluginRefused(plugin: settings.id, reason: refused.reason) }
            throw PluginSettingsError(plugin: settings.id, key: nil, message: unknownPluginError(settings.id))
        }
        let specs = plugin.descriptor.parameters
        for (key, _) in settings.values where !specs.contains(where: { $0.name == key }) {
            throw PluginSettingsError.unknownParameter(key, of: plugin)
        }
        let values = try specs.map { spec -> ParameterValue in
            guard let given = settings.value(spec.name) else {
                if spec.required {
                    throw PluginSettingsError(plugin: plugin.id, key: spec.name,
                                              message: "required: give it a value (--set \(spec.name)=... after --plugin \(plugin.id), or \(spec.name) = ... in [plugins.\(plugin.id)])")
                }
                return spec.defaultValue
            }
            switch spec.validate(given) {
            case .success(let value): return value
            case .failure(let problem): throw PluginSettingsError(plugin: plugin.id, key: spec.name, message: problem.message)
            }
        }
        return (plugin, values)
    }

    /// Validates every setting, loads the plugins into this process (only these: the ones
    /// the run enables, and of these only the ones not isolated), then creates the instances in
    /// order; an isolated plugin is loaded and created in a plugin host of its own, started
    /// as `isolation` says. Nothing is created unless every setting is valid and every plugin
    /// loaded. A plugin whose file others could have changed (unless the registry allows it),
    /// or whose file no longer has the SHA-256 `pins` records, is refused before it is loaded,
    /// isolated or not: `PluginRefused`.
    public func instantiate(_ settings: [PluginSettings], session: TrainingSession?, pins: PluginPins = .none,
                            logger: Logger = Logger(label: "trainer.plugins"),
                            isolation: PluginIsolation? = nil) throws -> [PluginInstance] {
        let resolved = try settings.map { try resolve($0) }
        let loaded = try zip(settings, resolved).map { setting, resolved -> (PluginSettings, ScannedPlugin, LoadedPlugin?, [ParameterValue]) in
            let (scanned, values) = resolved
            if setting.isolate, isolation != nil {
                switch CheckedPluginFile.open(scanned, allowInsecure: allowInsecure).flatMap({ file in file.verify(pins) }) {
                case .failure(let problem) where problem.refused:
                    throw PluginRefused(plugin: scanned.id, reason: problem.description)
                case .failure(let problem): throw PluginSettingsError(plugin: scanned.id, key: nil, message: problem.description)
                case .success: return (setting, scanned, nil, values)
                }
            }
            switch PluginLoader.load(scanned, pins: pins, allowInsecure: allowInsecure) {
            case .success(let plugin): return (setting, scanned, plugin, values)
            case .failure(let problem) where problem.refused:
                throw PluginRefused(plugin: scanned.id, reason: problem.description)
            case .failure(let problem): throw PluginSettingsError(plugin: scanned.id, key: nil, message: problem.description)
            }
        }
        return try loaded.map { setting, scanned, plugin, values in
            if let plugin { return try PluginInstance(plugin: plugin, values: values, session: session, logger: logger) }
            return try PluginInstance(isolating: scanned, values: values, session: session, logger: logger,
                                      policy: setting.onFailure ?? .disable, isolation: isolation!)
        }
    }
}
