import Foundation
import XCTest

/// Runs the built `trainer` binary (from the same build products directory as the tests).
struct TrainerBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// The build products directory: where SwiftPM puts `trainer`, the plugin `.so` files and
    /// the test bundle.
    static let productsDirectory: URL = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // The test runner may live inside the .xctest bundle directory.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("trainer").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static var path: String { productsDirectory.appendingPathComponent("trainer").path }

    static let repositoryExamples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples").path

    static let fashionMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

    /// Runs `trainer ARGS` in `directory`, with HOME pointing there too so no user plugin
    /// directory leaks in.
    static func run(_ arguments: [String], in directory: URL, environment extra: [String: String] = [:]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("trainer binary not built at \(path); run `swift build` first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        environment["TRAINER_PLUGIN_PATH"] = nil
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs, so neither fills up.
        let outData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData.data = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData.data, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Bytes read on another thread; read back only after that thread is done.
private final class Collected: @unchecked Sendable {
    var data = Data()
}

/// A fresh working directory per test.
class EndToEndTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
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
