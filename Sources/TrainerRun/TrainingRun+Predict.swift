import Foundation
import TrainerData
import TrainerEngine
import TrainerHost

extension TrainingRun {
    /// `trainer predict CONFIG --weights FILE --input FILE --output FILE`: the model's outputs
    /// for every sample of the input (NumPy `.npy` or IDX, `.gz` or plain), calling the
    /// plugins' predict hooks as Keras's `predict` does. Writes `.npy` (float32,
    /// `[samples, outputs]`) or `.csv` (one row per sample). Returns a one-line summary.
    public static func predict(_ options: TrainOptions, weights: String, input: String, output: String) throws -> String {
        let run = try TrainingRun(options)
        defer { run.directory.removeIfEmpty() }
        try run.loadSavedWeights(weights)
        let samples = try UsageProblem.wrap { try UnlabeledDataset.load(input, rescale: run.config.data.rescale ?? 1.0 / 255.0) }
        let dataset = try UsageProblem.wrap {
            try samples.viewed(as: run.model.inputShape, source: input)
        }
        let format = try UsageProblem.wrap { try PredictionFile.Format(path: output) }
        run.describe(dataset)
        try run.createPlugins()
        let predictions: [Float]
        do {
            predictions = try run.model.predict(dataset, batchSize: run.config.batchSize,
                                                callbacks: PluginDispatcher(instances: run.instances))
        } catch {
            throw TrainingFailure("\(error)")
        }
        run.reportPluginFailures()
        let shape = [dataset.count] + run.model.outputShape
        do { try PredictionFile.write(predictions, shape: shape, format: format, to: output) } catch {
            throw TrainingFailure("could not write \(output): \(error)")
        }
        return "Wrote \(dataset.count) predictions of shape \(run.model.outputShape) to \(output)"
    }
}
