import Foundation
import PluginTestSupport
import XCTest

/// The built `trainer` binary and the repository's examples, for end-to-end tests.
enum TrainerBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    static var path: String { TrainerExecutable.path }

    static let repositoryExamples = Repository.root + "/examples"

    static let fashionMNIST = TrainerExecutable.fashionMNIST

    /// Runs `trainer ARGS` in `directory`, with HOME pointing there too so no user plugin
    /// directory leaks in; a run still going after `timeout` seconds is killed and throws.
    static func run(_ arguments: [String], in directory: URL, environment extra: [String: String] = [:],
                    timeout: TimeInterval = ChildProcess.defaultTimeout) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("trainer binary not built at \(path); run `swift build` first")
        }
        let result = try TrainerExecutable.run(arguments, in: directory.path, environment: extra, timeout: timeout)
        return Result(status: result.status, stdout: result.output, stderr: result.errors)
    }
}

/// A fresh working directory per test.
class EndToEndTestCase: XCTestCase {
    var directory: URL!

    /// The directory gets mode 0755, and what the test creates in it the same (`FileModes`):
    /// the host refuses plugin directories others can write.
    override func setUpWithError() throws {
        FileModes.useOwnerWritableUmask()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileModes.set(directory.path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func trainer(_ arguments: String..., environment: [String: String] = [:]) throws -> TrainerBinary.Result {
        try TrainerBinary.run(arguments, in: directory, environment: environment)
    }

    func write(_ text: String, to name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func requireFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: TrainerBinary.fashionMNIST) else {
            throw XCTSkip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
        }
    }
}
