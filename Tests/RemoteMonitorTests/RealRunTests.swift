import Foundation
import PluginTestSupport
import XCTest

/// RemoteMonitor in real `trainer train` runs, against the test's server on 127.0.0.1.
final class RealRunTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `trainer train` on a small slice of Fashion-MNIST with RemoteMonitor and `settings`.
    private func train(_ settings: [String], epochs: Int = 2) throws -> (status: Int32, errors: String) {
        try TrainerExecutable.requireTrainingSetup()
        let result = try TrainerExecutable.run(["train", "--epochs", String(epochs), "--limit", "200", "--verbose", "0",
                                                "--run-dir", dir + "/run", "--plugin", "RemoteMonitor"]
                                               + settings.flatMap { ["--set", $0] }, in: dir)
        return (result.status, result.errors)
    }

    func testEachEpochsLogsArriveAsJSON() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let result = try train(["root=\(server.root)", "path=/runs/1", "send_as_json=true", "headers=X-Run: 1"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertFalse(result.errors.contains("RemoteMonitor"), result.errors)
        let requests = server.requests
        XCTAssertEqual(requests.count, 2)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/run/history.json"))
        let history = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["history"]
            as? [String: [Double]])
        for (epoch, request) in requests.enumerated() {
            XCTAssertEqual(request.path, "/runs/1")
            XCTAssertEqual(request.header("X-Run"), "1")
            let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
            XCTAssertEqual(body["epoch"] as? Int, epoch)
            for name in ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"] {
                XCTAssertEqual(body[name] as? Double, history[name]?[epoch], "\(name) at epoch \(epoch)")
            }
            XCTAssertTrue(request.body.hasPrefix("{\"epoch\": \(epoch), \"loss\": "), request.body)
        }
    }

    func testAServerThatIsDownLeavesTheRunSuccessful() throws {
        let port = try closedLoopbackPort()
        let result = try train(["root=http://127.0.0.1:\(port)"], epochs: 3)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.errors.contains("Could not reach RemoteMonitor root server at http://127.0.0.1:\(port)"),
                      result.errors)
        XCTAssertTrue(result.errors.contains("3 of 3 epochs could not be sent"), result.errors)
    }
}
