import ArgumentParser
import TrainerRun

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, inspect, enable and disable callback plugins.",
        subcommands: [List.self, Info.self, Enable.self, Disable.self])

    struct ConfigOption: ParsableArguments {
        @Option(help: ArgumentHelp("The configuration file that records enabled plugins.", valueName: "FILE"))
        var config: String = "trainer.toml"
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every plugin found: id, version, ABI, enabled or not, hooks, path and status.")

        @Flag(help: "Print JSON.")
        var json = false

        @Flag(help: "Scan every plugin file again, ignoring the registry cache.")
        var rescan = false

        @OptionGroup var search: PluginSearchOptions
        @OptionGroup var file: ConfigOption

        func run() throws {
            let output = try PluginCommands.list(configPath: file.config, pluginDirectories: search.pluginsDirectories,
                                                 json: json, rescan: rescan, allowInsecure: search.allowInsecure)
            print(output)
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a plugin's summary and parameters.")

        @Argument(help: "The plugin's id (case-insensitive).")
        var id: String

        @OptionGroup var search: PluginSearchOptions
        @OptionGroup var file: ConfigOption

        func run() throws {
            print(try PluginCommands.info(id: id, configPath: file.config, pluginDirectories: search.pluginsDirectories,
                                          allowInsecure: search.allowInsecure))
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a plugin in trainer.toml (created if missing), with parameters, and record its file's SHA-256.",
            discussion: """
                The plugin runs after those already enabled. Runs refuse the plugin once its file no longer has \
                the recorded SHA-256; enabling it again approves the new file. \
                Example: trainer plugins enable StopAtAccuracy --set threshold=0.88
                """)

        @Argument(help: "The plugin's id (case-insensitive).")
        var id: String

        @Option(help: ArgumentHelp("Set a parameter (repeatable).", valueName: "key=value"))
        var set: [String] = []

        @OptionGroup var search: PluginSearchOptions
        @OptionGroup var file: ConfigOption

        func run() throws {
            let settings = try UsageProblem.wrap { try set.map { try KeyValueText(parsing: $0) } }
            print(try PluginCommands.enable(id: id, settings: settings, configPath: file.config,
                                            pluginDirectories: search.pluginsDirectories, allowInsecure: search.allowInsecure))
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a plugin in trainer.toml; its parameters stay there for next time.")

        @Argument(help: "The plugin's id (case-insensitive).")
        var id: String

        @OptionGroup var file: ConfigOption

        func run() throws {
            print(try PluginCommands.disable(id: id, configPath: file.config))
        }
    }
}
