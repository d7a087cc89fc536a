import Foundation
import TrainerHost

/// The work behind `trainer plugins ...`.
public enum PluginCommands {
    static func registry(_ directories: [String], rescan: Bool = false, allowInsecure: Bool = false) -> PluginRegistry {
        PluginRegistry(searchPath: .standard(extraDirectories: directories), rescan: rescan, allowInsecure: allowInsecure)
    }

    /// The configuration's recorded plugin hashes (none when there is no file).
    static func pins(configPath: String) throws -> PluginPins {
        guard FileManager.default.fileExists(atPath: configPath) else { return PluginPins(source: configPath, hashes: [:]) }
        return try UsageProblem.wrap { try ConfigLoader.load(path: configPath).pins }
    }

    /// The plugins a configuration file enables (Keras's defaults when there is no file).
    static func enabledPlugins(configPath: String) throws -> [PluginSettings] {
        guard FileManager.default.fileExists(atPath: configPath) else { return RunConfig.defaultPlugins }
        return try UsageProblem.wrap { try ConfigLoader.load(path: configPath).plugins }
    }

    /// `rescan` scans every file again instead of taking unchanged ones from the cache.
    public static func list(configPath: String, pluginDirectories: [String], json: Bool, rescan: Bool = false,
                            allowInsecure: Bool = false) throws -> String {
        let listing = PluginListing(registry: registry(pluginDirectories, rescan: rescan, allowInsecure: allowInsecure),
                                    enabled: try enabledPlugins(configPath: configPath), pins: try pins(configPath: configPath))
        return json ? listing.json() : listing.text()
    }

    public static func info(id: String, configPath: String, pluginDirectories: [String],
                            allowInsecure: Bool = false) throws -> String {
        let registry = registry(pluginDirectories, allowInsecure: allowInsecure)
        guard let plugin = registry.plugin(id: id) else { throw UsageProblem(registry.unknownPluginError(id)) }
        let enabled = try enabledPlugins(configPath: configPath).contains { $0.id.lowercased() == plugin.id.lowercased() }
        return PluginListing.info(plugin, enabled: enabled)
    }

    /// Enables the plugin and records the SHA-256 of its file, approving that file: runs
    /// refuse the plugin once its file no longer has it. A file others could have changed is
    /// refused unless `allowInsecure`.
    public static func enable(id: String, settings: [KeyValueText], configPath: String,
                              pluginDirectories: [String], allowInsecure: Bool = false) throws -> String {
        let registry = registry(pluginDirectories, allowInsecure: allowInsecure)
        guard let plugin = registry.plugin(id: id) else { throw UsageProblem(registry.unknownPluginError(id)) }
        return try UsageProblem.wrap {
            let values = try PluginOverride(id: plugin.id, settings: settings).values(for: plugin)
            var editor = try PluginsFileEditor(path: configPath)
            editor.enable(plugin.id, set: values)
            // The whole set must still fit the schema (values kept from before included).
            if let settings = editor.enabled.first(where: { $0.id == plugin.id }) { _ = try registry.resolve(settings) }
            let digest = try approvedDigest(of: plugin, allowInsecure: allowInsecure)
            editor.pin(plugin.id, sha256: digest)
            try editor.write()
            let order = editor.enabled.map(\.id).joined(separator: ", ")
            return "Enabled \(plugin.id) in \(configPath), approving \(plugin.path) (SHA-256 \(digest)). "
                + "Plugins run in this order: \(order)."
        }
    }

    /// The SHA-256 of the plugin's file, read from the file that was scanned, after the
    /// checks of who could have changed it.
    static func approvedDigest(of plugin: ScannedPlugin, allowInsecure: Bool) throws -> String {
        let digest = CheckedPluginFile.open(plugin, allowInsecure: allowInsecure).flatMap { $0.sha256() }
        switch digest {
        case .success(let digest): return digest
        case .failure(let problem) where problem.refused: throw UsageProblem("plugin \(plugin.id) is refused: \(problem)")
        case .failure(let problem): throw UsageProblem("plugin \(plugin.id): \(problem)")
        }
    }

    public static func disable(id: String, configPath: String) throws -> String {
        try UsageProblem.wrap {
            var editor = try PluginsFileEditor(path: configPath)
            guard editor.disable(id) else {
                throw UsageProblem("\(id) is not enabled in \(configPath) (enabled: \(editor.enabled.map(\.id).joined(separator: ", ")))")
            }
            try editor.write()
            let order = editor.enabled.map(\.id)
            return "Disabled \(id) in \(configPath). " + (order.isEmpty ? "No plugins are enabled." : "Plugins run in this order: \(order.joined(separator: ", ")).")
        }
    }

    /// The scanner mode (`trainer scan-plugins -- FILE...`): scans the files in this process
    /// and answers on file descriptor 3, for the `trainer` that started it.
    /// `trainer plugin-host`: serves one isolated plugin for the training process that started
    /// it; never returns when it was.
    public static func servePluginHost() throws {
        guard PluginHostService.serve() else {
            throw UsageProblem("\(PluginIsolation.subcommand) serves on file descriptor 3: it is started by trainer itself")
        }
    }

    public static func serveScanner(files: [String]) throws {
        guard PluginScanService.serve(files: files) else {
            throw UsageProblem("\(PluginScanner.subcommand) answers on file descriptor 3: it is started by trainer itself")
        }
    }
}
