import ArgumentParser
import TrainerHost
import TrainerRun

extension PluginScaffold.Language: ExpressibleByArgument {}

extension PluginsCommand {
    /// `trainer plugins new NAME --lang c|swift|rust [--output DIR]`.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a plugin project (C, Swift or Rust) that builds with one command against this trainer's SDK.",
            discussion: """
                C: make (headers from trainer sdk --cflags). Swift: swift build -c release (the SDK package by \
                path). Rust: cargo build --release --offline (the crate trainer-plugin by path). The project stubs \
                and documents each hook; the built plugin runs with trainer train --plugins-dir DIR --plugin NAME.
                """)

        @Argument(help: "The plugin's id, also its type and library name (a letter, then letters, digits, '_').")
        var name: String

        @Option(help: ArgumentHelp("The language: c, swift or rust.", valueName: "c|swift|rust"))
        var lang: PluginScaffold.Language

        @Option(help: ArgumentHelp("Where to write the project (default: ./NAME); must not exist or be empty.", valueName: "DIR"))
        var output: String?

        func run() throws {
            let sdk = try SDKLocation.find()
            let trainer = (PluginSearchPath.executableDirectory() ?? ".") + "/trainer"
            print(try PluginScaffold.create(name: name, language: lang, output: output, sdk: sdk, trainer: trainer))
        }
    }
}
