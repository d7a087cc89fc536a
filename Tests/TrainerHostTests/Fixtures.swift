import Foundation
import PluginTestSupport
import XCTest
import TrainerData
import TrainerEngine
@testable import TrainerHost

/// Builds the C plugins of Tests/Fixtures into real shared objects, with the system's C
/// compiler, the way a third party builds a plugin against the header alone.
enum Fixtures {
    /// Compiles `Tests/Fixtures/<name>.c` (or any source path) into `directory/<output>`.
    @discardableResult
    static func build(_ source: String, into directory: URL, as output: String, defines: [String] = []) throws -> URL {
        let sourcePath = source.hasPrefix("/") ? source : Repository.fixtures + "/\(source).c"
        let target = directory.appendingPathComponent(output)
        try CCompiler.compile(["-shared", "-fPIC", "-I", Repository.abiHeaderDirectory]
                              + defines.map { "-D\($0)" } + [sourcePath, "-o", target.path])
        try FileModes.set(target.path)
        return target
    }

    /// The build products directory (plugins built by this package live there).
    static let productsDirectory = URL(fileURLWithPath: Products.directory)
}

/// A fresh directory per test.
class FixtureTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        FileModes.useOwnerWritableUmask()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileModes.set(directory.path)
        guard FileManager.default.isExecutableFile(atPath: TrainerExecutable.path) else {
            throw XCTSkip("trainer is not built at \(TrainerExecutable.path) (it scans the plugin files); run `swift build` first")
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The registry of `directories`, scanned by the built `trainer` binary, with its cache in
    /// this test's directory.
    func registry(_ directories: [URL], rescan: Bool = false) -> PluginRegistry {
        PluginRegistry(searchPath: PluginSearchPath(directories: directories.map(\.path)), scanner: scanner, rescan: rescan)
    }

    /// The built `trainer` as the scanner, its cache in this test's directory.
    var scanner: PluginScanner {
        PluginScanner(executable: TrainerExecutable.path, cacheLocation: cacheLocation)
    }

    var cacheLocation: String { directory.appendingPathComponent("cache/registry.json").path }
}

/// A training session over a real engine model, for driving plugins through real fits.
final class SmallSession: TrainingSession {
    let model: Sequential
    let training: InMemoryDataset
    let validation: InMemoryDataset
    let runParameters: RunParameters

    /// Four samples of two features, two classes; batches of two.
    init(runDirectory: String, epochs: Int = 2) throws {
        model = Sequential([Dense(2, activation: .softmax)])
        try model.build(inputShape: [2], maxBatch: 2, seed: 1)
        model.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        training = try InMemoryDataset(features: .floats([0, 1, 1, 0, 0, 2, 2, 0]), featureShape: [2],
                                       targets: .classes([0, 1, 0, 1], classCount: 2))
        validation = try InMemoryDataset(features: .floats([0, 1, 1, 0]), featureShape: [2],
                                         targets: .classes([0, 1], classCount: 2))
        runParameters = RunParameters(verbose: 0, epochs: epochs, steps: 2, batchSize: 2, samples: 4,
                                      runDirectory: runDirectory, validationSamples: 2)
    }

    func fit(_ callbacks: FitCallback) throws {
        try model.fit(train: training, validation: validation, epochs: runParameters.epochs, batchSize: 2,
                      shuffle: false, callbacks: callbacks, control: model.control)
    }

    func requestStop() { model.control.stopRequested = true }
    var learningRate: Double { model.control.learningRate }
    func setLearningRate(_ value: Double) throws { model.control.learningRate = value }
    func weightViews() -> [WeightView] {
        model.weights.map { WeightView(name: $0.name, shape: $0.shape, data: UnsafePointer($0.value), count: $0.count) }
    }
    func snapshotWeights() -> [[Float]] { model.weights.map(\.values) }
    func restoreWeights(_ snapshot: [[Float]]) throws {
        for (values, weight) in zip(snapshot, model.weights) { weight.setValues(values) }
    }
    func saveWeights(to path: String) throws { throw ModelError("not used here") }
    func loadWeights(from path: String) throws { throw ModelError("not used here") }
    func evaluate() throws -> Logs { try model.evaluate(validation, batchSize: 2) }
}
