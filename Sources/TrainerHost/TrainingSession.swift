import TrainerEngine

/// The run's parameters plugins read through the host table (Keras's `callback.params`).
public struct RunParameters: Sendable, Equatable {
    public var verbose: Int
    public var epochs: Int
    public var steps: Int
    public var batchSize: Int
    public var samples: Int
    public var initialEpoch: Int
    public var runDirectory: String
    public var validationSamples: Int
    /// Data-parallel training: this process's rank and the number of ranks (0 of 1 without
    /// mpirun); `steps` are then per rank and `batchSize` is per rank.
    public var rank: Int
    public var worldSize: Int

    public init(verbose: Int = 1, epochs: Int = 1, steps: Int = 0, batchSize: Int = 32,
                samples: Int = 0, initialEpoch: Int = 0, runDirectory: String = ".",
                validationSamples: Int = 0, rank: Int = 0, worldSize: Int = 1) {
        self.rank = rank
        self.worldSize = worldSize
        self.verbose = verbose
        self.epochs = epochs
        self.steps = steps
        self.batchSize = batchSize
        self.samples = samples
        self.initialEpoch = initialEpoch
        self.runDirectory = runDirectory
        self.validationSamples = validationSamples
    }
}

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
}

/// Sessions without a training run to checkpoint (a replay) refuse checkpoints.
public struct CheckpointsUnavailable: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "checkpoints need a training run" }
}

extension TrainingSession {
    public func saveCheckpoint(to directory: String) throws { throw CheckpointsUnavailable() }
    public func requestResume(from directory: String) throws -> Bool { throw CheckpointsUnavailable() }
    public func removeCheckpoints(in directory: String) throws { throw CheckpointsUnavailable() }
}
