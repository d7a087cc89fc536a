import ArgumentParser
import TrainerRun

/// The check mode of `trainer plugins validate`, hidden: the validator starts `trainer` with
/// it to run one check on a plugin in a child process.
struct ValidateCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-check",
        abstract: "Run one check of `trainer plugins validate` and answer on file descriptor 3 (started by trainer itself).",
        shouldDisplay: false)

    @Option(help: "The check.") var check: String
    @Option(help: "The plugin file.") var plugin: String
    @Option(help: "The seed of the random cases.") var seed: UInt64
    @Option(name: .customLong("work-dir"), help: "The directory to run in.") var workDirectory: String
    @Option(help: ArgumentHelp("Set a parameter (repeatable).", valueName: "key=value")) var set: [String] = []

    func run() throws {
        let settings = try UsageProblem.wrap { try set.map { try KeyValueText(parsing: $0) } }
        try PluginValidation.serveCheck(check: check, plugin: plugin, settings: settings, seed: seed, workDirectory: workDirectory)
    }
}
