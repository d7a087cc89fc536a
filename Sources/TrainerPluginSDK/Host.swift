import CTrainerPlugin
import TrainerABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a plugin may ask of the host: a Swift view over the C `trainer_host_t` table.
///
/// The SDK gives one to `init`; keep it and use it from hooks. Call it only from inside a call
/// the host made (`init`, a hook, `saveState`, `loadState`), on that thread. Services the host
/// does not offer (an older host whose table ends before them) behave as documented on each
/// member: a no-op, `nil`, or a thrown `HostError`.
public final class Host {
    /// The host's C table, for anything this view does not wrap.
    public let table: UnsafePointer<trainer_host_t>
    /// The known part of the table, copied once; fields past the host's struct_size are zero.
    private let functions: trainer_host_t

    /// Wraps a host table given by `create`.
    public init(_ table: UnsafePointer<trainer_host_t>) {
        self.table = table
        functions = CStruct.known(UnsafeRawPointer(table), as: trainer_host_t.self)
    }

    /// The host's name, e.g. "trainer".
    public var hostName: String { functions.host_name.map { String(cString: $0) } ?? "" }
    /// The host's version, e.g. "0.1.0".
    public var hostVersion: String { functions.host_version.map { String(cString: $0) } ?? "" }
    /// The host's ABI version.
    public var abiVersion: (major: Int, minor: Int) {
        (Int(functions.abi.major), Int(functions.abi.minor))
    }

    /// Keras's `model.stop_training = True`: training stops after the current batch; the epoch
    /// still ends normally (validation, `onEpochEnd`), then `onTrainEnd`.
    public func stopTraining() {
        functions.stop_training?(table)
    }

    /// `stopTraining()` with the reason a user reads ("val_loss did not improve for 3
    /// epochs"): the host prints it at the end of the run, records it in `report.json`, and
    /// `trainer replay` shows it. A host older than ABI 1.2 just stops.
    public func stopTraining(because reason: String) {
        if let stop = functions.stop_training_because {
            stop(table, reason)
        } else {
            functions.stop_training?(table)
        }
    }

    /// The optimizer's current learning rate (NaN when the host cannot tell).
    public var learningRate: Double {
        functions.get_learning_rate?(table) ?? .nan
    }

    /// Sets the learning rate from the next step on. Throws for a negative or non-finite rate,
    /// or when the host has no optimizer to set.
    public func setLearningRate(_ learningRate: Double) throws {
        guard let set = functions.set_learning_rate else {
            throw HostError("the host cannot set the learning rate")
        }
        guard set(table, learningRate) == TRAINER_STATUS_OK else {
            throw HostError("the host refused learning rate \(learningRate)")
        }
    }

    /// The run's parameters (Keras's `callback.params` plus the run directory).
    public var runParameters: RunParameters {
        get throws {
            guard let get = functions.get_run_params else {
                throw HostError("the host does not give run parameters")
            }
            var raw = trainer_run_params_t()
            raw.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
            guard get(table, &raw) == TRAINER_STATUS_OK else {
                throw HostError("the host could not give run parameters")
            }
            return RunParameters(raw)
        }
    }

    /// An in-memory copy of all weights (Keras: `model.get_weights()`), or nil on failure.
    /// It lives until `releaseSnapshot` or until the instance is destroyed.
    public func snapshotWeights() -> WeightSnapshot? {
        guard let snapshot = functions.snapshot_weights else { return nil }
        let id = snapshot(table)
        return id >= 0 ? WeightSnapshot(id: id) : nil
    }

    /// Puts a snapshot's weights back into the model (Keras: `model.set_weights(...)`).
    public func restoreWeights(_ snapshot: WeightSnapshot) throws {
        guard let restore = functions.restore_weights else {
            throw HostError("the host cannot restore weights")
        }
        guard restore(table, snapshot.id) == TRAINER_STATUS_OK else {
            throw HostError("the host could not restore weight snapshot \(snapshot.id)")
        }
    }

    /// Frees a snapshot early (they are all freed when the instance is destroyed).
    public func releaseSnapshot(_ snapshot: WeightSnapshot) {
        functions.release_snapshot?(table, snapshot.id)
    }

    /// Number of weight tensors (0 when the host does not show weights).
    public var weightCount: Int {
        Int(functions.weight_count?(table) ?? 0)
    }

    /// The weight tensor at `index` (0 ..< weightCount), in layer order; a borrowed view.
    public func weight(at index: Int) throws -> TensorView {
        guard let get = functions.get_weight else {
            throw HostError("the host does not show weights")
        }
        var raw = trainer_tensor_view_t()
        raw.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
        guard get(table, Int64(index), &raw) == TRAINER_STATUS_OK else {
            throw HostError("the host could not give weight \(index)")
        }
        return TensorView(raw)
    }

    /// Every weight tensor, in layer order; borrowed views.
    public func weights() throws -> [TensorView] {
        try (0..<weightCount).map { try weight(at: $0) }
    }

    /// Saves all weights to `path` in safetensors format (the host writes a temporary file and
    /// renames it).
    public func saveWeights(to path: String) throws {
        try withErrorBuffer("save weights to \(path)") { error, size in
            functions.save_weights.map { $0(table, path, error, size) }
        }
    }

    /// Loads all weights from a safetensors file written by `saveWeights(to:)`.
    public func loadWeights(from path: String) throws {
        try withErrorBuffer("load weights from \(path)") { error, size in
            functions.load_weights.map { $0(table, path, error, size) }
        }
    }

    /// Evaluates the model on the run's validation data (Keras: `model.evaluate`): loss and
    /// metrics without the `val_` prefix, as owned logs. Throws when the run has no validation
    /// data. Does not call the test hooks of plugins.
    public func evaluate() throws -> Logs {
        guard let evaluate = functions.evaluate else {
            throw HostError("the host cannot evaluate")
        }
        var out: UnsafePointer<trainer_logs_t>?
        guard evaluate(table, &out) == TRAINER_STATUS_OK else {
            throw HostError("the host could not evaluate the model")
        }
        return Logs(borrowing: out).copy()
    }

    /// Prints a message through the host's log, which prefixes it with the plugin's id.
    public func log(_ level: LogLevel, _ message: String) {
        functions.log?(table, level.rawValue, message)
    }

    /// An optional host capability by id with revision, e.g. "trainer.weights/1": a pointer to
    /// the static struct that extension's documentation defines, or nil when the host lacks it.
    public func `extension`(id: String) -> UnsafeRawPointer? {
        functions.get_extension?(table, id)
    }

    func withErrorBuffer(
        _ what: String,
        _ call: (UnsafeMutablePointer<CChar>, Int) -> trainer_status_t?
    ) throws {
        let size = 1024
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: size)
        guard let status = call(buffer, size) else {
            throw HostError("the host cannot \(what)")
        }
        guard status == TRAINER_STATUS_OK else {
            let reason = ErrorBuffer.read(buffer, size: size)
            throw HostError(reason.isEmpty ? "could not \(what)" : reason)
        }
    }
}

/// Severity of a message sent through `Host.log`.
public enum LogLevel: Int32, Sendable {
    case debug = 0   // TRAINER_LOG_DEBUG
    case info = 1    // TRAINER_LOG_INFO
    case warning = 2 // TRAINER_LOG_WARNING
    case error = 3   // TRAINER_LOG_ERROR
}

/// A host service failed or is missing.
public struct HostError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The run's parameters: Keras's `callback.params` plus the run directory (the host's own
/// type, shared through TrainerABI).
public typealias RunParameters = TrainerABI.RunParameters

/// A weight snapshot held by the host for this plugin instance.
public struct WeightSnapshot: Hashable, Sendable {
    /// The host's id for it.
    public let id: Int64

    public init(id: Int64) {
        self.id = id
    }
}

/// A read-only view of one weight tensor. `data` is borrowed from the host: valid until the
/// current hook returns, and it changes as training proceeds. `copyData()` keeps it.
public struct TensorView {
    /// Layer-qualified, e.g. "dense_1/kernel".
    public let name: String
    /// Extents in Keras's order (Dense kernel: [in, out]).
    public let shape: [Int]
    /// Row-major float32 values, `shape.reduce(1, *)` of them.
    public let data: UnsafeBufferPointer<Float>

    init(_ raw: trainer_tensor_view_t) {
        name = raw.name.map { String(cString: $0) } ?? ""
        let rank = Int(raw.rank)
        shape = raw.shape.map { shape in (0..<rank).map { Int(shape[$0]) } } ?? []
        data = UnsafeBufferPointer(start: raw.data, count: raw.data == nil ? 0 : Int(raw.element_count))
    }

    /// The values, copied.
    public func copyData() -> [Float] { Array(data) }
}
