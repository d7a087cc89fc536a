import Foundation
import TrainerData
import TrainerEngine
import TrainerHost

extension TrainingRun {
    /// `trainer evaluate CONFIG --weights FILE`: the loss and metrics of saved weights on the
    /// configuration's validation data (its training data when it has none), calling the
    /// plugins' test hooks as Keras's `evaluate` does. Returns Keras's one-line summary.
    public static func evaluate(_ options: TrainOptions, weights: String) throws -> String {
        let run = try TrainingRun(options)
        defer { run.directory.removeIfEmpty() }
        try run.loadSavedWeights(weights)
        let dataset = run.data.validation ?? run.data.training
        run.describe(dataset)
        try run.createPlugins()
        let logs: Logs
        do {
            logs = try run.model.evaluate(dataset, batchSize: run.config.batchSize,
                                          callbacks: PluginDispatcher(instances: run.instances))
        } catch {
            throw TrainingFailure("\(error)")
        }
        run.reportPluginFailures()
        let role = run.data.validation == nil ? "training" : "validation"
        return "Evaluated \(weights) on \(dataset.count) \(role) samples: "
            + logs.pairs.map { "\($0.name): \(String(format: "%.4f", $0.value))" }.joined(separator: " - ")
    }

    /// Keras's `params` for evaluate and predict describe the data they run over.
    func describe(_ dataset: Dataset) {
        runParameters.samples = dataset.count
        runParameters.steps = Self.steps(dataset.count, batchSize: config.batchSize)
        runParameters.epochs = 1
    }

    /// Batches in a pass over `samples` samples, the last one possibly partial (whatever the
    /// batch size, without overflow).
    static func steps(_ samples: Int, batchSize: Int) -> Int {
        samples == 0 ? 0 : (samples - 1) / batchSize + 1
    }

    /// Loads weights saved by a run of the same model; a wrong file is a usage problem.
    func loadSavedWeights(_ path: String) throws {
        do { try loadWeights(from: path) } catch {
            throw UsageProblem("--weights: \(error)")
        }
    }
}
