import ArgumentParser
import TrainerRun

extension PluginsCommand {
    /// `trainer plugins install FILE.so`.
    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plugin file and copy it (mode 0755) into ~/.local/share/trainer/plugins; enables nothing.",
            discussion: """
                The file must scan as a valid plugin (in a child process, as every plugin file is). A file \
                already there that provides the same id, or has the same name, is replaced only with --force. \
                Then: trainer plugins enable ID
                """)

        @Argument(help: ArgumentHelp("The plugin's shared object.", valueName: "FILE.so"))
        var file: String

        @Flag(help: "Replace an installed plugin with the same id or file name.")
        var force = false

        func run() throws {
            print(try PluginInstaller.install(file: file, force: force))
        }
    }
}
