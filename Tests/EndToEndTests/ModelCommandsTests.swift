import Foundation
import XCTest

final class ModelCommandsTests: EndToEndTestCase {
    /// A small MLP trained for one epoch; returns its config and weights.
    func trainedModel() throws -> (config: URL, weights: URL) {
        try requireFashionMNIST()
        let config = try write("""
            epochs = 1
            [data]
            limit = 256
            [plugins]
            enabled = ["History"]
            """, to: "small.toml")
        let result = try trainer("train", config.path, "--run-dir", "trained")
        XCTAssertEqual(result.status, 0, result.output)
        return (config, directory.appendingPathComponent("trained/weights.safetensors"))
    }

    func testEvaluateSavedWeightsCallsTestHooks() throws {
        let (config, weights) = try trainedModel()
        let result = try trainer("evaluate", config.path, "--weights", weights.path, "--run-dir", "eval",
                                 "--plugin", "ProgbarLogger")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("Evaluated \(weights.path) on 256 validation samples: loss: "), result.stdout)
        XCTAssertTrue(result.stdout.contains("8/8 "), "ProgbarLogger shows the evaluation's own steps:\n\(result.stdout)")
    }

    func testPredictWritesNumPyAndCSV() throws {
        let (config, weights) = try trainedModel()
        let input = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
        let npy = try trainer("predict", config.path, "--weights", weights.path, "--input", input,
                              "--output", "p.npy", "--run-dir", "pred")
        XCTAssertEqual(npy.status, 0, npy.output)
        let data = try Data(contentsOf: directory.appendingPathComponent("p.npy"))
        XCTAssertEqual(Array(data.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.contains("'shape': (10000, 10)"), header)
        XCTAssertEqual(data.count, 10 + headerLength + 10000 * 10 * 4)
        XCTAssertEqual((10 + headerLength) % 64, 0)

        let csv = try trainer("predict", config.path, "--weights", weights.path, "--input", input,
                              "--output", "p.csv", "--run-dir", "pred")
        XCTAssertEqual(csv.status, 0, csv.output)
        let rows = try String(contentsOf: directory.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 10000)
        let first = rows[0].split(separator: ",").compactMap { Double($0) }
        XCTAssertEqual(first.count, 10)
        XCTAssertEqual(first.reduce(0, +), 1, accuracy: 1e-4, "softmax rows sum to 1")
    }

    func testWeightsOfAnotherModelAreRefusedNamingTheTensor() throws {
        let (_, weights) = try trainedModel()
        let result = try trainer("evaluate", "\(TrainerBinary.repositoryExamples)/fashion-cnn.toml", "--weights", weights.path,
                                 "--run-dir", "eval")
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("tensor 'conv2d/kernel' is missing"), result.stderr)
    }
}
