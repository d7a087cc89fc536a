import TrainerEngine

/// A read-only view of one weight tensor, valid until the weights change shape (never,
/// during a run) and while the model lives.
public struct WeightView {
    public var name: String
    public var shape: [Int]
    public var data: UnsafePointer<Float>
    public var count: Int

    public init(name: String, shape: [Int], data: UnsafePointer<Float>, count: Int) {
        self.name = name
        self.shape = shape
        self.data = data
        self.count = count
    }
}

/// What the host table asks of the run: the services behind `trainer_host_t`. The training
/// run implements it over the engine; `trainer replay` implements it by recording requests.
public protocol TrainingSession: AnyObject {
    var runParameters: RunParameters { get }
    /// Keras: `model.stop_training = True`.
    func requestStop()
    var learningRate: Double { get }
    func setLearningRate(_ value: Double) throws
    /// All weights in layer order. The views stay valid, at the same places, for the
    /// session's life (the host asks once and keeps them).
    func weightViews() -> [WeightView]
    /// A copy of all weights.
    func snapshotWeights() -> [[Float]]
    func restoreWeights(_ snapshot: [[Float]]) throws
    func saveWeights(to path: String) throws
    func loadWeights(from path: String) throws
    /// Evaluates on the validation data without calling any plugin hook.
    func evaluate() throws -> Logs

    /// "trainer.checkpoint/1": writes the whole training state into `directory`.
    func saveCheckpoint(to directory: String) throws
    /// Asks to resume from the newest checkpoint in `directory` once every plugin exists;
    /// false when there is none.
    func requestResume(from directory: String) throws -> Bool
    /// Removes the checkpoints in `directory`.
    func removeCheckpoints(in directory: String) throws

    /// `stop_training_because`: a stop with the reason the plugin gave (nil: none).
    func requestStop(plugin: String, reason: String?)

    /// "trainer.weights/1": sets weight `index` (as `weightViews` numbers them) from `values`,
    /// which the host table checked hold the weight's element count.
    func setWeight(_ index: Int, from values: UnsafeBufferPointer<Float>) throws

    /// "trainer.predict/1": the validation data's batches at the run's batch size.
    var validationBatchCount: Int { get }
    /// The model's outputs on validation batch `batch` (inference mode), with its targets.
    func predictValidationBatch(_ batch: Int) throws -> Prediction
    /// The model's outputs on `rows` samples of `inputSize` values each.
    func predict(_ inputs: UnsafeBufferPointer<Float>, rows: Int, inputSize: Int) throws -> Prediction
}

/// The model's outputs on a batch, beside its targets (`trainer_prediction_t`). The buffers
/// belong to the session: valid until its next prediction.
public struct Prediction {
    public var firstSample: Int
    public var rows: Int
    public var outputSize: Int
    public var outputs: UnsafePointer<Float>
    /// 0 without targets.
    public var targetSize: Int
    public var targets: UnsafePointer<Float>?

    public init(firstSample: Int, rows: Int, outputSize: Int, outputs: UnsafePointer<Float>,
                targetSize: Int, targets: UnsafePointer<Float>?) {
        self.firstSample = firstSample
        self.rows = rows
        self.outputSize = outputSize
        self.outputs = outputs
        self.targetSize = targetSize
        self.targets = targets
    }
}

/// What a session without a model (a replay) cannot do.
public struct NeedsTrainingRun: Error, CustomStringConvertible {
    public let what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "\(what) needs a training run" }
}

/// Sessions without a training run to checkpoint (a replay) refuse checkpoints.
public struct CheckpointsUnavailable: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "checkpoints need a training run" }
}

extension TrainingSession {
    public func requestStop(plugin: String, reason: String?) { requestStop() }
    public func setWeight(_ index: Int, from values: UnsafeBufferPointer<Float>) throws { throw NeedsTrainingRun("setting weights") }
    public var validationBatchCount: Int { 0 }
    public func predictValidationBatch(_ batch: Int) throws -> Prediction { throw NeedsTrainingRun("predicting") }
    public func predict(_ inputs: UnsafeBufferPointer<Float>, rows: Int, inputSize: Int) throws -> Prediction {
        throw NeedsTrainingRun("predicting")
    }
    public func saveCheckpoint(to directory: String) throws { throw CheckpointsUnavailable() }
    public func requestResume(from directory: String) throws -> Bool { throw CheckpointsUnavailable() }
    public func removeCheckpoints(in directory: String) throws { throw CheckpointsUnavailable() }
}
