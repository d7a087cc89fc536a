import ArgumentParser
import TrainerRun

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, inspect, enable, disable, validate, install and create callback plugins.",
        subcommands: [List.self, Info.self, Enable.self, Disable.self, Validate.self, Install.self, New.self])

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

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plugin before users run it: each check in a child process, pass, fail or skip with the reason.",
            discussion: """
                Checks: scan, descriptor, create, create-edge-cases, fit, evaluate, predict, state, threads, stdout. \
                A crash or a hang fails the check it happened in, naming the signal or the time limit. \
                Exit status: 0 when every check passed (or was skipped), 1 when a check failed, 2 for bad usage \
                or a file or id not found. Example: trainer plugins validate ModelCheckpoint --set filepath=best.safetensors
                """)

        @Argument(help: ArgumentHelp("A plugin file, or the id of a plugin found on the search path.", valueName: "PATH|ID"))
        var target: String

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Option(help: "The seed of the random cases (printed in the report; the same seed repeats them).")
        var seed: UInt64?

        @Option(help: ArgumentHelp("Set a parameter the plugin needs (repeatable).", valueName: "key=value"))
        var set: [String] = []

        @Option(help: ArgumentHelp("Seconds each check may take (default 30).", valueName: "SECONDS"))
        var timeout: Double?

        @OptionGroup var search: PluginSearchOptions

        func run() throws {
            let settings = try UsageProblem.wrap { try set.map { try KeyValueText(parsing: $0) } }
            let (output, passed) = try PluginValidation.validate(
                target: target, settings: settings, seed: seed, json: json, timeout: timeout,
                pluginDirectories: search.pluginsDirectories, allowInsecure: search.allowInsecure)
            print(output)
            if !passed { throw ExitCode(1) }
        }
    }
}
