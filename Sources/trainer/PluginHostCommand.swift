import ArgumentParser
import TrainerRun

/// The plugin-host mode, hidden: `trainer` starts itself with it to run one isolated plugin in
/// a process of its own.
struct PluginHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-host",
        abstract: "Run one isolated plugin for the training process on file descriptor 3 (started by trainer itself).",
        shouldDisplay: false)

    func run() throws {
        try PluginCommands.servePluginHost()
    }
}
