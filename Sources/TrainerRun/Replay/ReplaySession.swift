import Foundation
import TrainerEngine
import TrainerHost

/// The host behind `trainer replay`: no model, no data. It records what the plugins ask for
/// (stop, set the learning rate, save weights, snapshot and restore) instead of training.
/// Its "weights" are one tensor holding the epoch that produced them, so a restore says which
/// epoch's weights a plugin put back.
final class ReplaySession: TrainingSession {
    var runParameters: RunParameters
    /// The epoch whose weights the model holds now (also the value of its one weight).
    var currentEpoch = -1 {
        didSet { weight.pointee = Float(currentEpoch) }
    }
    var stopRequested = false
    /// Kept in float32, as Keras's optimizers hold it.
    private var rate: Float
    private(set) var savedPaths: [String] = []
    private(set) var restoredEpoch: Int?
    private let weight = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    init(parameters: RunParameters, initialLearningRate: Double) {
        runParameters = parameters
        rate = Float(initialLearningRate)
        weight.initialize(to: -1)
    }

    deinit { weight.deallocate() }

    func requestStop() { stopRequested = true }

    /// The first stop given with a reason: which plugin, and why.
    private(set) var stopReason: (plugin: String, reason: String)?

    func requestStop(plugin: String, reason: String?) {
        if stopReason == nil, let reason { stopReason = (plugin, reason) }
        requestStop()
    }

    var learningRate: Double { Double(rate) }

    func setLearningRate(_ value: Double) throws { rate = Float(value) }

    func weightViews() -> [WeightView] {
        [WeightView(name: "replay/epoch", shape: [1], data: UnsafePointer(weight), count: 1)]
    }

    func snapshotWeights() -> [[Float]] { [[Float(currentEpoch)]] }

    func restoreWeights(_ snapshot: [[Float]]) throws {
        guard let epoch = snapshot.first?.first else { throw ModelError("empty snapshot") }
        restoredEpoch = Int(epoch)
        currentEpoch = Int(epoch)
    }

    /// Writes a real (one-tensor) safetensors file, so plugins that manage their files
    /// (keeping the best k, say) see them, and records the path.
    func saveWeights(to path: String) throws {
        try Safetensors.write([.init(name: "replay/epoch", shape: [1], data: UnsafePointer(weight), count: 1)],
                              metadata: ["epoch": String(currentEpoch)], to: path)
        savedPaths.append(path)
    }

    func loadWeights(from path: String) throws {
        let (tensors, _) = try Safetensors.read(from: path)
        guard let epoch = tensors.first(where: { $0.name == "replay/epoch" })?.values.first else {
            throw ModelError("\(path): not a file written by a replay")
        }
        currentEpoch = Int(epoch)
        restoredEpoch = Int(epoch)
    }

    func evaluate() throws -> Logs {
        throw ModelError("a replay has no model to evaluate")
    }

    /// A saved path as the plugin named it relative to the run directory.
    func relativeSavedPaths() -> [String] {
        let prefix = runParameters.runDirectory.hasSuffix("/") ? runParameters.runDirectory : runParameters.runDirectory + "/"
        return savedPaths.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
    }
}
