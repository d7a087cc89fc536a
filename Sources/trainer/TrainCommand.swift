import ArgumentParser
import TrainerRun

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model.",
        discussion: """
            With no CONFIG, reads trainer.toml in the working directory when there is one, else \
            trains the default model (Flatten, Dense(128, relu), Dense(10, softmax), Adam) on \
            Fashion-MNIST for 5 epochs with the ProgbarLogger and History plugins.

            Each run writes into its own directory, runs/<date-time>/ unless --run-dir says otherwise.

            Example: trainer train --epochs 10 --plugin StopAtAccuracy --set threshold=0.88

            Under mpirun (mpirun -np 2 trainer train), each process trains on its share of every \
            epoch and gradients are averaged after every batch; --batch-size is per process.
            """)

    @Argument(help: ArgumentHelp("A TOML configuration file.", valueName: "CONFIG"))
    var config: String?

    @Option(help: "Number of epochs (overrides the configuration).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Samples per batch (overrides the configuration).")
    var batchSize: Int?

    @Option(help: "Train on the first N samples only (and validate on the first N).")
    var limit: Int?

    @Option(name: .customLong("validation-limit"),
            help: ArgumentHelp("Validate on the first N validation samples only (takes precedence over --limit there).",
                               valueName: "N"))
    var validationLimit: Int?

    @Option(name: .customLong("initial-weights"),
            help: ArgumentHelp("Start from the weights in FILE (safetensors, e.g. a run's weights.safetensors or a checkpoint).",
                               valueName: "FILE"))
    var initialWeights: String?

    @Option(help: "0 silent, 1 progress bar, 2 one line per epoch.")
    var verbose: Int?

    @Option(help: "Seed for weights, shuffling and dropout.")
    var seed: UInt64?

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Write the run's outputs into DIR.", valueName: "DIR"))
    var runDirectory: String?

    @OptionGroup var plugins: PluginChoiceOptions

    @Option(name: .customLong("hook-timeout"),
            help: ArgumentHelp("End the run when a plugin's call lasts longer than this (default 300).", valueName: "SECONDS"))
    var hookTimeout: Double?

    @Flag(help: "Run every plugin of the run in a plugin host process of its own (as isolate = true does for one).")
    var isolate = false

    @Option(name: .customLong("every-rank"),
            help: ArgumentHelp("Under mpirun, create plugin ID on every rank, not on rank 0 only (repeatable).", valueName: "ID"))
    var everyRank: [String] = []

    @OptionGroup var search: PluginSearchOptions

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let validationLimit, validationLimit < 1 { throw ValidationError("--validation-limit must be at least 1") }
        if let initialWeights, initialWeights.isEmpty { throw ValidationError("--initial-weights must name a file") }
        if let verbose, !(0...2).contains(verbose) { throw ValidationError("--verbose must be 0, 1 or 2") }
        if let hookTimeout, !(hookTimeout > 0 && hookTimeout.isFinite) {
            throw ValidationError("--hook-timeout must be a positive number of seconds")
        }
    }

    func run() throws {
        let overrides = try plugins.overrides()
        try MPICommunicator.startIfLaunched()
        var options = TrainOptions(
            configPath: config, epochs: epochs, batchSize: batchSize, limit: limit, verbose: verbose,
            seed: seed, runDirectory: runDirectory, hookTimeout: hookTimeout, validationLimit: validationLimit,
            initialWeights: initialWeights, isolate: isolate, pluginOverrides: overrides,
            pluginDirectories: search.pluginsDirectories, allowInsecure: search.allowInsecure)
        options.everyRank = everyRank
        try TrainingRun.train(options)
    }
}
