import ArgumentParser
import Foundation
import TrainerEngine
import TrainerRun

/// `trainer`: trains Keras-style models; callbacks are plugins.
struct Trainer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Train neural networks, Keras-style, with callbacks loaded as plugins.",
        discussion: """
            Exit status: 0 on success, 1 when training failed (a plugin crashed, exited or hung in a \
            call, or could not do its work), 2 for bad usage or configuration (a plugin refused for its \
            file's permissions or SHA-256 included), 130 or 143 when \
            interrupted by SIGINT (Ctrl-C) or SIGTERM.
            Plugins are found in --plugins-dir directories, $TRAINER_PLUGIN_PATH, ./plugins, \
            the directory of the trainer binary, its ../lib/trainer/plugins (an install) and \
            ~/.local/share/trainer/plugins.
            """,
        version: SystemReport.version,
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, PluginsCommand.self, ReplayCommand.self,
                      SystemCommand.self, SDKCommand.self, ScanPluginsCommand.self, PluginHostCommand.self,
                      ValidateCheckCommand.self])
}

/// `--plugin ID --set key=value ...`, declared once for every command that takes it (train,
/// evaluate, predict, replay).
struct PluginChoiceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Plugin ID for this command; --set options after it set its parameters (repeatable).",
                               valueName: "ID"))
    var plugin: [String] = []

    @Option(help: ArgumentHelp("Set a parameter of the --plugin before it (repeatable).", valueName: "key=value"))
    var set: [String] = []

    /// Each --plugin with the --set values that follow it. ArgumentParser gives each option's
    /// values in order, not how the two interleave, so the pairing is read from the command
    /// line and must agree with what ArgumentParser parsed: a disagreement (a value of another
    /// option spelled like --plugin) is a usage error, never a silent misreading.
    func overrides() throws -> [PluginOverride] {
        let paired = try UsageProblem.wrap { try PluginOverride.parse(arguments: Array(CommandLine.arguments.dropFirst())) }
        guard paired.map(\.id) == plugin, paired.reduce(0, { $0 + $1.settings.count }) == set.count else {
            throw UsageProblem("command line: --plugin and --set could not be paired unambiguously; "
                               + "write each --set right after the --plugin it sets")
        }
        return paired
    }
}

/// Options every command that loads plugins takes.
struct PluginSearchOptions: ParsableArguments {
    @Option(name: .customLong("plugins-dir"), help: ArgumentHelp("Also look for plugins in DIR (first; repeatable).", valueName: "DIR"))
    var pluginsDirectories: [String] = []

    @Flag(name: .customLong("allow-insecure"),
          help: "Load plugin files (or their directories) writable by group or others, or owned by another user.")
    var allowInsecure = false
}

@main
enum Main {
    /// Under mpirun, messages say which rank wrote them ("rank 1 of 2: ").
    static var rankPrefix: String {
        guard let mpi = MPICommunicator.current else { return "" }
        return "rank \(mpi.rank) of \(mpi.worldSize): "
    }

    static func main() {
        ConsoleLogHandler.bootstrap()
        // Before any matrix product: OpenBLAS's kernels by the CPU's features, not its model.
        BLASLibrary.chooseCore()
        do {
            var command = try Trainer.parseAsRoot()
            try command.run()
            MPICommunicator.finish()
        } catch let interrupted as RunInterrupted {
            Console.standardError(rankPrefix + interrupted.description)
            Foundation.exit(128 + interrupted.signal)
        } catch let failure as TrainingFailure {
            Console.standardError("error: \(rankPrefix)\(failure)")
            Foundation.exit(1)
        } catch let problem as UsageProblem {
            Console.standardError("error: \(rankPrefix)\(problem)")
            Foundation.exit(2)
        } catch {
            let code = Trainer.exitCode(for: error)
            if code == .success || error is ExitCode {
                Trainer.exit(withError: error)
            }
            // Argument errors print the usage; every other error is a bad configuration.
            Console.standardError(Trainer.fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}
