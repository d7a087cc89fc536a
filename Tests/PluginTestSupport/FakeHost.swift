import CTrainerPlugin
import Foundation

/// The host table (`trainer_host_t`) a plugin instance gets, backed by this object through
/// `host_data`, as the real host backs it. A test configures what the plugin sees (run
/// parameters, learning rate, weights, evaluation, extensions, failures) and reads back what
/// the plugin asked for (stop requests, messages, learning rates, reports, snapshots, saved
/// weight files). Every function of the table is set.
///
/// Give each instance its own host, as the real host gives each its own table. The services
/// are in the FakeHost+*.swift files: weights and snapshots, weight files, evaluation,
/// extensions.
public final class FakeHost {
    /// How the host keeps the learning rate.
    public enum LearningRatePrecision {
        /// In float32, as the real host (and Keras's optimizer variable) keeps it: a rate reads
        /// back as the nearest float32, whoever set it.
        case float32
        /// In a double, exactly as set.
        case double
    }

    // MARK: What the plugin sees

    /// What get_run_params copies out (see `init` for how it is filled).
    public var run: trainer_run_params_t
    /// get_run_params fails (a host that cannot give run parameters).
    public var failRunParameters = false
    /// How `learningRate` is kept (given to `init`).
    public let learningRatePrecision: LearningRatePrecision
    /// The optimizer's learning rate: what get_learning_rate returns and set_learning_rate
    /// changes. Kept in `learningRatePrecision` (a float32 host rounds what a test sets too).
    public var learningRate: Double {
        get { storedLearningRate }
        set { storedLearningRate = learningRatePrecision == .float32 ? Double(Float(newValue)) : newValue }
    }
    /// The model's weights, in layer order: what weight_count and get_weight show, what
    /// snapshots copy and restore, what weight files hold. A test may change them between
    /// hooks to simulate training.
    public var weights: [FakeWeight]
    /// get_weight fails (a host that counts weights but cannot show them).
    public var failWeightViews = false
    /// The id the next snapshot_weights returns; ids count up from it.
    public var nextSnapshotID: Int64 = 1
    /// What save_weights writes (see `WeightFileFormat`).
    public var weightFileFormat: WeightFileFormat
    /// When set, save_weights fails with this message (e.g. "disk full").
    public var saveWeightsFailure: String?
    /// The epoch the run is at (-1 before the first): PluginInstance.epochBegin sets it; epoch
    /// marker weight files record it.
    public var epoch = -1
    /// The logs evaluate returns (loss and metrics), or nil: evaluate fails, as for a run
    /// without validation data.
    public var evaluation: [(String, Double)]?
    /// The extensions get_extension offers.
    public var extensions: Set<Extension> = [.report]

    // MARK: What the plugin asked for

    /// stop_training calls.
    public internal(set) var stopRequests = 0
    /// Messages logged through the host, in order.
    public internal(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    /// Every rate given to set_learning_rate, refused ones included.
    public internal(set) var learningRateRequests: [Double] = []
    /// The latest value reported under each name ("trainer.report/1").
    public internal(set) var reports: [String: Double] = [:]
    /// Snapshots taken and not released, by id: the weights' values when taken.
    public internal(set) var liveSnapshots: [Int64: [[Float]]] = [:]
    /// Successful restore_weights calls.
    public internal(set) var restores = 0
    /// The paths save_weights wrote, in order.
    public internal(set) var savedWeightFiles: [String] = []

    /// The table to give to `create`.
    public let table: UnsafeMutablePointer<trainer_host_t>

    private var storedLearningRate = 0.0
    private let runDirectory: UnsafeMutablePointer<CChar>
    private let hostName = strdup("fake-host")!
    private let hostVersion = strdup("0.0.0")!
    /// C copies behind the views get_weight returns (FakeHost+Weights.swift).
    var weightViewStorage: [WeightViewStorage] = []
    /// C copies behind the logs evaluate returns (FakeHost+Evaluation.swift).
    var evaluationStorage: EvaluationStorage?

    /// A host for a run of `epochs` epochs of `steps` batches of `batchSize` (`samples`
    /// defaults to steps × batchSize) writing to `runDirectory` ("" for none), with no weights
    /// unless given.
    public init(runDirectory: String = "", epochs: Int = 3, steps: Int = 10, batchSize: Int = 32,
                samples: Int? = nil, verbose: Int = 1, validationSamples: Int = 0, initialEpoch: Int = 0,
                learningRate: Double = 0.01, learningRatePrecision: LearningRatePrecision = .float32,
                weights: [FakeWeight] = [], weightFileFormat: WeightFileFormat = .safetensors) {
        self.runDirectory = strdup(runDirectory)!
        self.learningRatePrecision = learningRatePrecision
        self.weights = weights
        self.weightFileFormat = weightFileFormat
        run = trainer_run_params_t()
        run.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
        run.verbose = Int32(verbose)
        run.epochs = Int64(epochs)
        run.steps = Int64(steps)
        run.batch_size = Int64(batchSize)
        run.samples = Int64(samples ?? steps * batchSize)
        run.initial_epoch = Int64(initialEpoch)
        run.run_dir = UnsafePointer(self.runDirectory)
        run.validation_samples = Int64(validationSamples)

        table = .allocate(capacity: 1)
        table.initialize(to: trainer_host_t())
        self.learningRate = learningRate
        wireTable()
    }

    private func wireTable() {
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.host_name = UnsafePointer(hostName)
        table.pointee.host_version = UnsafePointer(hostVersion)
        table.pointee.stop_training = { host in FakeHost.of(host).stopRequests += 1 }
        table.pointee.get_learning_rate = { host in FakeHost.of(host).learningRate }
        table.pointee.set_learning_rate = { host, rate in FakeHost.of(host).setLearningRate(rate) }
        table.pointee.get_run_params = { host, out in FakeHost.of(host).copyRunParameters(to: out) }
        table.pointee.snapshot_weights = { host in FakeHost.of(host).snapshotWeights() }
        table.pointee.restore_weights = { host, id in FakeHost.of(host).restoreWeights(id) }
        table.pointee.release_snapshot = { host, id in FakeHost.of(host).liveSnapshots[id] = nil }
        table.pointee.weight_count = { host in Int64(FakeHost.of(host).weights.count) }
        table.pointee.get_weight = { host, index, out in FakeHost.of(host).weightView(index, out) }
        table.pointee.save_weights = { host, path, error, size in
            FakeHost.of(host).saveWeights(to: String(cString: path!), error: error, size: size)
        }
        table.pointee.load_weights = { host, path, error, size in
            FakeHost.of(host).loadWeights(from: String(cString: path!), error: error, size: size)
        }
        table.pointee.evaluate = { host, out in FakeHost.of(host).evaluate(out) }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
        table.pointee.get_extension = { host, id in FakeHost.of(host).extensionTable(id) }
    }

    deinit {
        table.deallocate()
        free(runDirectory)
        free(hostName)
        free(hostVersion)
        releaseWeightViews()
        evaluationStorage?.release()
    }

    /// The host behind a table this class made.
    static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    private func setLearningRate(_ rate: Double) -> trainer_status_t {
        learningRateRequests.append(rate)
        guard rate.isFinite, rate >= 0 else { return statusError }
        learningRate = rate
        return statusOK
    }

    /// As the real host: at most the caller's struct_size bytes, struct_size set to what was
    /// written.
    private func copyRunParameters(to out: UnsafeMutablePointer<trainer_run_params_t>?) -> trainer_status_t {
        guard let out, !failRunParameters else { return statusError }
        let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
        withUnsafeBytes(of: run) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: size) }
        out.pointee.struct_size = UInt32(size)
        return statusOK
    }

    /// Writes `message` into a plugin's error buffer (at most `size` bytes, NUL included) and
    /// returns TRAINER_STATUS_ERROR.
    func fail(_ message: String, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> trainer_status_t {
        if let error, size > 0 {
            _ = strncpy(error, message, size - 1)
            error[size - 1] = 0
        }
        return statusError
    }

    // MARK: Reading the messages

    /// The messages logged at `level` (TRAINER_LOG_*), in order.
    public func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }

    public var info: [String] { messages(at: TRAINER_LOG_INFO) }
    public var warnings: [String] { messages(at: TRAINER_LOG_WARNING) }
    public var errors: [String] { messages(at: TRAINER_LOG_ERROR) }
}
