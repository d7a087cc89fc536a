import ArgumentParser
import Foundation
import TrainerRun

/// `trainer`: trains Keras-style models; callbacks are plugins.
struct Trainer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Train neural networks, Keras-style, with callbacks loaded as plugins.",
        discussion: """
            Exit status: 0 on success, 1 when training failed (a plugin crashed, exited or hung in a \
            call, or could not do its work), 2 for bad usage or configuration, 130 or 143 when \
            interrupted by SIGINT (Ctrl-C) or SIGTERM.
            Plugins are found in --plugins-dir directories, $TRAINER_PLUGIN_PATH, ./plugins, \
            the directory of the trainer binary and ~/.local/share/trainer/plugins.
            """,
        version: "trainer 0.1.0",
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, PluginsCommand.self, ReplayCommand.self,
                      ScanPluginsCommand.self, PluginHostCommand.self])
}

/// Options every command that loads plugins takes.
struct PluginSearchOptions: ParsableArguments {
    @Option(name: .customLong("plugins-dir"), help: ArgumentHelp("Also look for plugins in DIR (first; repeatable).", valueName: "DIR"))
    var pluginsDirectories: [String] = []
}

@main
enum Main {
    static func main() {
        ConsoleLogHandler.bootstrap()
        do {
            var command = try Trainer.parseAsRoot()
            try command.run()
        } catch let interrupted as RunInterrupted {
            Console.standardError(interrupted.description)
            Foundation.exit(128 + interrupted.signal)
        } catch let failure as TrainingFailure {
            Console.standardError("error: \(failure)")
            Foundation.exit(1)
        } catch let problem as UsageProblem {
            Console.standardError("error: \(problem)")
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
