import ArgumentParser
import TrainerRun

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed recorded logs through plugins, without training.",
        discussion: """
            trainer replay HISTORY --plugin ID [--set key=value ...] ...
              replays a past run (History's history.json or a CSVLogger file) and says what the
              plugins would have done, e.g. when EarlyStopping would have stopped.
            trainer replay --cases FILE.jsonl
              runs cases recorded from Keras (see the keras-parity format) through the real
              plugins and prints one JSON line per case with the same `expect` keys.
            """)

    @Argument(help: ArgumentHelp("A history.json (History) or .csv (CSVLogger) file.", valueName: "HISTORY"))
    var history: String?

    @Option(help: ArgumentHelp("Replay the cases in FILE (JSON lines).", valueName: "FILE"))
    var cases: String?

    @OptionGroup var plugins: PluginChoiceOptions

    @Option(name: .customLong("initial-lr"), help: "The learning rate the run started with (default: from the history, else 0.001).")
    var initialLearningRate: Double?

    @OptionGroup var search: PluginSearchOptions

    func validate() throws {
        if cases != nil && history != nil { throw ValidationError("give HISTORY or --cases, not both") }
        if cases == nil && history == nil { throw ValidationError("give a HISTORY file or --cases FILE") }
    }

    func run() throws {
        if let cases {
            let result = try CaseReplay.run(casesFile: cases, pluginDirectories: search.pluginsDirectories,
                                            allowInsecure: search.allowInsecure)
            result.lines.forEach { print($0) }
            if !result.allRan { throw TrainingFailure("some cases could not be replayed (see their \"error\")") }
            return
        }
        let overrides = try plugins.overrides()
        print(try HistoryReplay.run(historyPath: history!, overrides: overrides, initialLearningRate: initialLearningRate,
                                       pluginDirectories: search.pluginsDirectories, allowInsecure: search.allowInsecure))
    }
}
