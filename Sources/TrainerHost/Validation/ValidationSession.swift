import Foundation
import TrainerEngine

/// The host behind a validator's checks: no model, no data, but every service of the host
/// table answers. The learning rate is kept, stop is recorded, the run parameters name a real
/// run directory, the "model" is one small weight tensor that can be read, snapshotted,
/// restored, set, saved to and loaded from a safetensors file, evaluate returns fixed logs,
/// predictions are fixed rows of 3 classes (2 validation batches of 32, inputs of 6 values),
/// and a checkpoint is a marker file in the directory the plugin names (resume finds none).
final class ValidationSession: TrainingSession {
    let runParameters: RunParameters
    private(set) var stopRequested = false
    private var rate = 0.001
    private let weights: UnsafeMutablePointer<Float>
    private static let weightCount = 6

    init(runDirectory: String, epochs: Int, steps: Int, samples: Int, validationSamples: Int) {
        // verbose 0: a plugin that prints its own progress (ProgbarLogger) stays quiet.
        runParameters = RunParameters(verbose: 0, epochs: epochs, steps: steps, batchSize: 32, samples: samples,
                                      initialEpoch: 0, runDirectory: runDirectory, validationSamples: validationSamples)
        weights = .allocate(capacity: Self.weightCount)
        for i in 0..<Self.weightCount { (weights + i).initialize(to: Float(i) * 0.25 - 0.5) }
    }

    deinit {
        weights.deallocate()
        outputs.deallocate()
        targets.deallocate()
    }

    func requestStop() { stopRequested = true }

    var learningRate: Double { rate }

    func setLearningRate(_ value: Double) throws { rate = value }

    func weightViews() -> [WeightView] {
        [WeightView(name: "validation/kernel", shape: [2, 3], data: UnsafePointer(weights), count: Self.weightCount)]
    }

    func snapshotWeights() -> [[Float]] {
        [Array(UnsafeBufferPointer(start: weights, count: Self.weightCount))]
    }

    func restoreWeights(_ snapshot: [[Float]]) throws {
        guard snapshot.count == 1, snapshot[0].count == Self.weightCount else { throw ModelError("snapshot of another shape") }
        for i in 0..<Self.weightCount { weights[i] = snapshot[0][i] }
    }

    func saveWeights(to path: String) throws {
        try Safetensors.write([.init(name: "validation/kernel", shape: [2, 3], data: UnsafePointer(weights), count: Self.weightCount)],
                              metadata: [:], to: path)
    }

    func loadWeights(from path: String) throws {
        let (tensors, _) = try Safetensors.read(from: path)
        guard let tensor = tensors.first(where: { $0.name == "validation/kernel" }), tensor.values.count == Self.weightCount else {
            throw ModelError("\(path): not a file of this model")
        }
        for i in 0..<Self.weightCount { weights[i] = tensor.values[i] }
    }

    func evaluate() throws -> Logs {
        let logs = Logs(names: ["loss", "accuracy"])
        logs.values = [0.5, 0.75]
        return logs
    }

    func setWeight(_ index: Int, from values: UnsafeBufferPointer<Float>) throws {
        guard index == 0, values.count == Self.weightCount else { throw ModelError("no weight \(index) of \(values.count) values") }
        for i in 0..<Self.weightCount { weights[i] = values[i] }
    }

    private static let classes = 3, inputSize = 6
    private let outputs = UnsafeMutableBufferPointer<Float>.allocate(capacity: 32 * 3)
    private let targets = UnsafeMutableBufferPointer<Float>.allocate(capacity: 32)

    var validationBatchCount: Int { (runParameters.validationSamples + 31) / 32 }

    /// Sample i is predicted as class i % 3 with probability 0.7; its target is class i % 4
    /// (3 counts as 0): some right, some wrong.
    func predictValidationBatch(_ batch: Int) throws -> Prediction {
        guard batch >= 0, batch < validationBatchCount else { throw ModelError("no validation batch \(batch)") }
        let first = batch * 32, rows = min(32, runParameters.validationSamples - first)
        for r in 0..<rows {
            for c in 0..<Self.classes { outputs[r * Self.classes + c] = c == (first + r) % 3 ? 0.7 : 0.15 }
            targets[r] = Float((first + r) % 4 % 3)
        }
        return Prediction(firstSample: first, rows: rows, outputSize: Self.classes, outputs: UnsafePointer(outputs.baseAddress!),
                          targetSize: 1, targets: UnsafePointer(targets.baseAddress!))
    }

    func predict(_ inputs: UnsafeBufferPointer<Float>, rows: Int, inputSize: Int) throws -> Prediction {
        guard inputSize == Self.inputSize, rows <= 32 else {
            throw ModelError("the validator's model takes \(Self.inputSize) values per sample and at most 32 samples")
        }
        for i in 0..<(rows * Self.classes) { outputs[i] = 1.0 / 3 }
        return Prediction(firstSample: 0, rows: rows, outputSize: Self.classes, outputs: UnsafePointer(outputs.baseAddress!),
                          targetSize: 0, targets: nil)
    }

    static let checkpointMarker = "validation-checkpoint"

    func saveCheckpoint(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/" + Self.checkpointMarker, contents: Data())
    }

    func requestResume(from directory: String) throws -> Bool { false }

    func removeCheckpoints(in directory: String) throws {
        try? FileManager.default.removeItem(atPath: directory + "/" + Self.checkpointMarker)
    }
}
