import Foundation
import XCTest

/// The built `trainer` executable, for tests that train for real (a few epochs on a slice of
/// Fashion-MNIST) with the plugin products of the same build.
public enum TrainerExecutable {
    /// .../trainer in the products directory.
    public static var path: String { Products.directory + "/trainer" }

    /// The file whose presence says Fashion-MNIST is installed (scripts/install-deps).
    public static let fashionMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

    /// Skips the test (XCTSkip) unless `trainer` is built and Fashion-MNIST is installed.
    public static func requireTrainingSetup() throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw XCTSkip("trainer is not built at \(path); run `swift build` first")
        }
        guard FileManager.default.fileExists(atPath: fashionMNIST) else {
            throw XCTSkip("Fashion-MNIST is not installed (scripts/install-deps)")
        }
    }

    /// Runs `trainer ARGUMENTS` in `directory`, with HOME there too and TRAINER_PLUGIN_PATH
    /// and XDG_CACHE_HOME unset, so that the run sees no plugin but those of the products
    /// directory and keeps its plugin registry cache under HOME; `environment`
    /// adds variables on top. Throws `ChildProcess.TimedOut` when the run takes longer than
    /// `timeout` seconds.
    public static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:],
                           errors: ChildProcess.ErrorStream = .captured,
                           timeout: TimeInterval = ChildProcess.defaultTimeout) throws -> ChildProcess.Result {
        try ChildProcess.run([path] + arguments, in: directory, environment: changes(directory, environment),
                             errors: errors, timeout: timeout)
    }

    /// Starts what `run` runs and returns at once (see `ChildProcess.start`).
    public static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:],
                             errors: ChildProcess.ErrorStream = .captured,
                             timeout: TimeInterval = ChildProcess.defaultTimeout) throws -> RunningChild {
        try ChildProcess.start([path] + arguments, in: directory, environment: changes(directory, environment),
                               errors: errors, timeout: timeout)
    }

    /// The environment changes of a run in `directory`: HOME there, no TRAINER_PLUGIN_PATH or
    /// XDG_CACHE_HOME, then `environment`.
    private static func changes(_ directory: String, _ environment: [String: String]) -> [String: String?] {
        var changes: [String: String?] = ["HOME": directory, "TRAINER_PLUGIN_PATH": nil, "XDG_CACHE_HOME": nil]
        for (name, value) in environment { changes[name] = value }
        return changes
    }
}
