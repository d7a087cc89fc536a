import ArgumentParser
import TrainerRun

extension PluginsCommand {
    /// `trainer plugins install FILE.so`.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plugin file and copy it (mode 0755) into ~/.local/share/trainer/plugins; enables nothing.",
            discussion: """
                The file must scan as a valid plugin (in a child process, as every plugin file is) and pass \
                every check of trainer plugins validate (--set gives the parameters it needs to run). A file \
                already there that provides the same id, or has the same name, is replaced only with --force. \
                Then: trainer plugins enable ID
                """)

        @Argument(help: ArgumentHelp("The plugin's shared object.", valueName: "FILE.so"))
        var file: String

        @Flag(help: "Replace an installed plugin with the same id or file name.")
        var force = false

        @Option(help: ArgumentHelp("Set a parameter the plugin needs to pass validation (repeatable).", valueName: "key=value"))
        var set: [String] = []

        func run() throws {
            let settings = try UsageProblem.wrap { try set.map { try KeyValueText(parsing: $0) } }
            print(try PluginInstaller.install(file: file, force: force, settings: settings))
        }
    }
}
