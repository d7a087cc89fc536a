import ArgumentParser
import TrainerRun

/// Options of the commands that run a configured model from saved weights.
struct SavedModelOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The TOML configuration the weights were trained with.", valueName: "CONFIG"))
    var config: String

    @Option(help: ArgumentHelp("Weights saved by a run (safetensors).", valueName: "FILE"))
    var weights: String

    @Option(name: .customLong("batch-size"), help: "Samples per batch.")
    var batchSize: Int?

    @Option(help: "0 silent, 1 progress bar, 2 one line.")
    var verbose: Int?

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Directory plugins write into.", valueName: "DIR"))
    var runDirectory: String?

    @OptionGroup var plugins: PluginChoiceOptions

    @Flag(help: "Run every plugin in a plugin host process of its own (as isolate = true does for one).")
    var isolate = false

    @OptionGroup var search: PluginSearchOptions

    func trainOptions() throws -> TrainOptions {
        TrainOptions(configPath: config, batchSize: batchSize, verbose: verbose, runDirectory: runDirectory, isolate: isolate,
                     pluginOverrides: try plugins.overrides(),
                     pluginDirectories: search.pluginsDirectories, allowInsecure: search.allowInsecure)
    }
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate saved weights on the configuration's validation data (Keras's evaluate).",
        discussion: "Plugins receive the test hooks. Example: trainer evaluate examples/fashion-mlp.toml --weights runs/<run>/weights.safetensors")

    @OptionGroup var options: SavedModelOptions

    func run() throws {
        print(try TrainingRun.evaluate(try options.trainOptions(), weights: options.weights))
    }
}

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Write the model's outputs for every sample of an input file (Keras's predict).",
        discussion: "Input: .npy or IDX (.gz or plain). Output: .npy (float32) or .csv. Plugins receive the predict hooks.")

    @OptionGroup var options: SavedModelOptions

    @Option(help: ArgumentHelp("Samples to predict (.npy, IDX).", valueName: "FILE"))
    var input: String

    @Option(help: ArgumentHelp("Where to write the predictions (.npy or .csv).", valueName: "FILE"))
    var output: String

    func run() throws {
        print(try TrainingRun.predict(try options.trainOptions(), weights: options.weights, input: input, output: output))
    }
}
