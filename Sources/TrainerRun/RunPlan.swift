import Foundation
import TrainerHost

/// A run's configuration with the command line applied and every plugin setting checked
/// against its plugin's schema: what `train` will do, settled before anything is loaded.
struct RunPlan {
    var config: RunConfig
    /// The configuration's name in messages: its file, or "defaults".
    var source: String
    var registry: PluginRegistry
    /// Where the run directory was asked for, for messages about it.
    var runDirectoryOrigin: RunDirectory.Origin
    /// The weights training starts from, and where they were asked for ("--initial-weights",
    /// or "CONFIG: initial_weights") for messages about them.
    var initialWeights: (path: String, origin: String)?

    /// Reads the configuration (CONFIG, else ./trainer.toml, else the defaults), applies
    /// the command line, and validates the plugins. Throws `UsageProblem`.
    init(_ options: TrainOptions) throws {
        let path = options.configPath
            ?? (FileManager.default.fileExists(atPath: ConfigLoader.defaultFileName) ? ConfigLoader.defaultFileName : nil)
        var config = try UsageProblem.wrap { try path.map { try ConfigLoader.load(path: $0) } ?? RunConfig() }
        if let v = options.epochs { config.epochs = v }
        if let v = options.batchSize { config.batchSize = v }
        if let v = options.limit { config.data.limit = v }
        if let v = options.validationLimit { config.data.validationLimit = v }
        if let v = options.verbose { config.verbose = v }
        if let v = options.seed { config.seed = v }
        if let v = options.runDirectory { config.runDirectory = v }
        if let v = options.hookTimeout { config.hookTimeout = v }
        source = path ?? "defaults"
        if let v = options.initialWeights {
            initialWeights = (v, "--initial-weights")
        } else if let v = config.initialWeightsPath {
            initialWeights = (v, "\(source): initial_weights")
        }
        runDirectoryOrigin = options.runDirectory != nil ? ("command line", "--run-dir")
            : config.runDirectory != nil ? (source, "run_dir") : ("run directory", nil)
        registry = PluginRegistry(searchPath: .standard(extraDirectories: options.pluginDirectories),
                                  allowInsecure: options.allowInsecure)
        for override in options.pluginOverrides {
            guard let plugin = registry.plugin(id: override.id) else {
                throw UsageProblem("command line: --plugin \(override.id): \(registry.unknownPluginError(override.id))")
            }
            let values = try UsageProblem.wrap { try override.values(for: plugin) }
            if let index = config.plugins.firstIndex(where: { $0.id.lowercased() == plugin.id.lowercased() }) {
                for (key, value) in values { config.plugins[index].set(key, value) }
            } else {
                config.plugins.insert(PluginSettings(id: plugin.id, values: values), at: Self.insertionIndex(in: config.plugins))
            }
        }
        if options.isolate {
            for index in config.plugins.indices { config.plugins[index].isolate = true }
        }
        config.everyRank += options.everyRank
        for id in config.everyRank where !config.plugins.contains(where: { $0.id.lowercased() == id.lowercased() }) {
            throw UsageProblem("\(path ?? "configuration"): plugins.every_rank: \(id) is not a plugin of this run")
        }
        for settings in config.plugins {
            do { _ = try registry.resolve(settings) } catch {
                throw UsageProblem("\(path ?? "configuration"): \(error)")
            }
        }
        self.config = config
        for warning in Self.shadowingWarnings(config.plugins, registry: registry) { Console.standardError(warning) }
        for settings in config.plugins where settings.onFailure != nil && !settings.isolate {
            Console.standardError("warning: plugin \(settings.id): on_plugin_failure applies to isolated plugins only "
                                  + "(isolate = true); in process, a crash ends the run")
        }
    }

    /// Where a `--plugin` not yet in the run goes: at the end, except before the default
    /// plugins (ProgbarLogger, History) that end the list, as Keras adds those after the
    /// user's callbacks. So History and the progress bar see what such a plugin adds to the logs.
    static func insertionIndex(in plugins: [PluginSettings]) -> Int {
        let defaults = Set(RunConfig.defaultPlugins.map { $0.id.lowercased() })
        var index = plugins.count
        while index > 0, defaults.contains(plugins[index - 1].id.lowercased()) { index -= 1 }
        return index
    }

    /// A warning for every plugin of the run that shadows another file with the same id, so
    /// that a `./plugins/libHistory.so` never replaces the bundled History silently.
    static func shadowingWarnings(_ plugins: [PluginSettings], registry: PluginRegistry) -> [String] {
        plugins.flatMap { settings -> [String] in
            guard let plugin = registry.plugin(id: settings.id) else { return [] }
            return registry.shadowedFiles(of: plugin.id).map { other in
                "warning: plugin \(plugin.id) is loaded from \(plugin.path), which shadows \(other.path)"
            }
        }
    }
}
