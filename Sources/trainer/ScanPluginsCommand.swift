import ArgumentParser
import TrainerRun

/// The scanner mode, hidden: `trainer` starts itself with it to learn what plugin files are
/// without running them in its own process.
struct ScanPluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-plugins",
        abstract: "Scan plugin files and answer on file descriptor 3 (started by trainer itself).",
        shouldDisplay: false)

    @Argument(parsing: .postTerminator, help: "The plugin files, after --.")
    var files: [String] = []

    func run() throws {
        try PluginCommands.serveScanner(files: files)
    }
}
