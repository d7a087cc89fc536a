import Foundation
import PluginTestSupport
import XCTest

/// `trainer evaluate` and `trainer predict` on weights a real run saved. The model is trained
/// once for the class; predictions are made on 300 test images written as IDX and NumPy files.
final class ModelCommandsTests: EndToEndTestCase {
    /// Trained once per class: a small MLP after one epoch, and where its files are.
    struct Trained {
        var directory: URL
        var config: URL { directory.appendingPathComponent("small.toml") }
        var weights: URL { directory.appendingPathComponent("trained/weights.safetensors") }
    }

    nonisolated(unsafe) static var trained: Result<Trained, Error>?

    override class func tearDown() {
        if case .success(let trained)? = trained { try? FileManager.default.removeItem(at: trained.directory) }
        trained = nil
        super.tearDown()
    }

    /// The class's trained model (trained on first use; a failure fails every test that needs it).
    func model() throws -> Trained {
        try requireFashionMNIST()
        if let trained = Self.trained { return try trained.get() }
        let result = Result<Trained, Error> {
            let trained = Trained(directory: FileManager.default.temporaryDirectory
                .appendingPathComponent("trainer-model-\(UUID().uuidString)"))
            try FileManager.default.createDirectory(at: trained.directory, withIntermediateDirectories: true)
            try "epochs = 1\n[data]\nlimit = 256\n[plugins]\nenabled = [\"History\"]\n"
                .write(to: trained.config, atomically: true, encoding: .utf8)
            let run = try TrainerBinary.run(["train", trained.config.path, "--run-dir", "trained"], in: trained.directory)
            guard run.status == 0 else { throw HarnessError("training the model failed (\(run.status)):\n\(run.output)") }
            return trained
        }
        Self.trained = result
        return try result.get()
    }

    static let testImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

    /// The first `count` test images as bytes, [count, 28, 28].
    func testImageBytes(_ count: Int) throws -> [UInt8] {
        let idx = try ChildProcess.runSuccessfully(["gzip", "-dc", Self.testImages]).outputData
        return [UInt8](idx[16 ..< 16 + count * 784])
    }

    /// A .npy file of `shape` with dtype `descr` ('|u1', '<f4') and the given little-endian data.
    func writeNPY(_ name: String, descr: String, shape: [Int], data: Data) throws -> URL {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        file.append(Data(header.utf8))
        file.append(data)
        let url = directory.appendingPathComponent(name)
        try file.write(to: url)
        return url
    }

    /// The float32 rows of a .npy file trainer wrote, and its shape's text.
    func readPredictions(_ url: URL) throws -> (shape: String, values: [Float]) {
        let data = try Data(contentsOf: url)
        XCTAssertEqual(Array(data.prefix(6)), [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "the header pads the data to 64 bytes")
        let header = String(decoding: data[10 ..< (10 + headerLength)], as: UTF8.self)
        let shape = try XCTUnwrap(header.range(of: #"\([0-9, ]*\)"#, options: .regularExpression).map { String(header[$0]) })
        let body = data[(10 + headerLength)...]
        let bytes = [UInt8](body)
        let values = stride(from: 0, to: bytes.count - 3, by: 4).map { i -> Float in
            var bits = UInt32(bytes[i])
            bits |= UInt32(bytes[i + 1]) << 8
            bits |= UInt32(bytes[i + 2]) << 16
            bits |= UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
        return (shape, values)
    }

    func testEvaluateSavedWeightsCallsTestHooks() throws {
        let model = try model()
        let result = try trainer("evaluate", model.config.path, "--weights", model.weights.path, "--run-dir", "eval",
                                 "--plugin", "ProgbarLogger")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("Evaluated \(model.weights.path) on 256 validation samples: loss: "), result.stdout)
        XCTAssertTrue(result.stdout.contains("8/8 "), "ProgbarLogger shows the evaluation's own steps:\n\(result.stdout)")
    }

    /// The same 300 images as IDX and as NumPy bytes give the same predictions; the predict
    /// hooks run once per batch; CSV rows are softmax rows.
    func testPredictReadsIDXAndNumPyAndCallsThePredictHooks() throws {
        let model = try model()
        let bytes = try testImageBytes(300)
        var idx = Data([0, 0, 8, 3])
        for dimension: UInt32 in [300, 28, 28] { withUnsafeBytes(of: dimension.bigEndian) { idx.append(contentsOf: $0) } }
        idx.append(contentsOf: bytes)
        try idx.write(to: directory.appendingPathComponent("images.idx3"))
        _ = try writeNPY("images.npy", descr: "|u1", shape: [300, 28, 28], data: Data(bytes))

        let fixtures = directory.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/recorder.c", into: fixtures.path, name: "Recorder")
        let hooks = directory.appendingPathComponent("hooks.log")
        let fromNPY = try trainer("predict", model.config.path, "--weights", model.weights.path, "--input", "images.npy",
                                  "--output", "from-npy.npy", "--run-dir", "pred", "--plugins-dir", fixtures.path,
                                  "--plugin", "Recorder", "--set", "path=\(hooks.path)")
        XCTAssertEqual(fromNPY.status, 0, fromNPY.output)
        let calls = try String(contentsOf: hooks, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(calls, ["on_predict_begin"] + (0 ..< 10).flatMap { ["on_predict_batch_begin \($0)", "on_predict_batch_end \($0)"] }
                       + ["on_predict_end"], "ten batches of 32 or fewer")

        let fromIDX = try trainer("predict", model.config.path, "--weights", model.weights.path, "--input", "images.idx3",
                                  "--output", "from-idx.npy", "--run-dir", "pred")
        XCTAssertEqual(fromIDX.status, 0, fromIDX.output)
        let a = try readPredictions(directory.appendingPathComponent("from-npy.npy"))
        let b = try readPredictions(directory.appendingPathComponent("from-idx.npy"))
        XCTAssertEqual(a.shape, "(300, 10)")
        XCTAssertEqual(a.values.count, 3000)
        XCTAssertEqual(a.values, b.values, "the same images as IDX and as NumPy")

        let csv = try trainer("predict", model.config.path, "--weights", model.weights.path, "--input", "images.npy",
                              "--output", "p.csv", "--run-dir", "pred")
        XCTAssertEqual(csv.status, 0, csv.output)
        let rows = try String(contentsOf: directory.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 300)
        let first = rows[0].split(separator: ",").compactMap { Float($0) }
        XCTAssertEqual(first.count, 10)
        XCTAssertEqual(first.reduce(0, +), 1, accuracy: 1e-4, "softmax rows sum to 1")
        for (csvValue, npyValue) in zip(first, a.values.prefix(10)) { XCTAssertEqual(csvValue, npyValue, accuracy: 1e-6) }
    }

    /// `rescale` multiplies byte features: bytes with rescale = 2/255 predict exactly as the
    /// floats value * 2/255 (rounded once, as training rounds them); other floats differ.
    func testRescaleMultipliesByteFeatures() throws {
        let model = try model()
        let bytes = try testImageBytes(40)
        _ = try writeNPY("bytes.npy", descr: "|u1", shape: [40, 28, 28], data: Data(bytes))
        for (name, scale) in [("scaled.npy", 2.0 / 255.0), ("unit.npy", 1.0 / 255.0)] {
            var floats = Data()
            for byte in bytes { withUnsafeBytes(of: Float(Double(byte) * scale).bitPattern.littleEndian) { floats.append(contentsOf: $0) } }
            _ = try writeNPY(name, descr: "<f4", shape: [40, 28, 28], data: floats)
        }
        let config = try write("epochs = 1\n[data]\nlimit = 256\nrescale = \(2.0 / 255.0)\n", to: "rescaled.toml")
        var predictions: [String: [Float]] = [:]
        for input in ["bytes.npy", "scaled.npy", "unit.npy"] {
            let result = try trainer("predict", config.path, "--weights", model.weights.path, "--input", input,
                                     "--output", "out-\(input)", "--run-dir", "pred")
            XCTAssertEqual(result.status, 0, result.output)
            predictions[input] = try readPredictions(directory.appendingPathComponent("out-\(input)")).values
        }
        XCTAssertEqual(predictions["bytes.npy"]?.count, 400)
        XCTAssertEqual(predictions["bytes.npy"], predictions["scaled.npy"])
        XCTAssertNotEqual(predictions["bytes.npy"], predictions["unit.npy"])
    }

    func testWeightsOfAnotherModelAreRefusedNamingTheTensor() throws {
        let model = try model()
        let result = try trainer("evaluate", "\(TrainerBinary.repositoryExamples)/fashion-cnn.toml", "--weights", model.weights.path,
                                 "--run-dir", "eval")
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("tensor 'conv2d/kernel' is missing"), result.stderr)
    }

    /// `trainer replay history.json` answers what a plugin would have decided on a past run.
    func testReplayOfAHistorySaysWhereThePluginWouldHaveStopped() throws {
        let model = try model()
        let history = model.directory.appendingPathComponent("trained/history.json").path
        let never = try trainer("replay", history, "--plugin", "EarlyStopping", "--set", "monitor=loss")
        XCTAssertEqual(never.status, 0, never.output)
        XCTAssertTrue(never.stdout.contains("EarlyStopping(monitor=\"loss\") would have run all 1 epochs, best epoch 1"), never.stdout)

        _ = try write("""
            {"epochs": [0, 1, 2, 3, 4],
             "history": {"loss": [0.9, 0.8, 0.85, 0.84, 0.7], "val_loss": [1.0, 0.9, 0.95, 0.97, 0.8]},
             "params": {"epochs": 10, "steps": 10}}
            """, to: "past.json")
        let stopped = try trainer("replay", "past.json", "--plugin", "EarlyStopping", "--set", "patience=2")
        XCTAssertEqual(stopped.status, 0, stopped.output)
        XCTAssertTrue(stopped.stdout.contains("EarlyStopping(patience=2) would have stopped at epoch 4 of 5 because val_loss did "
                                              + "not improve for 2 epochs (best 0.9 at epoch 2), best epoch 2"),
                      stopped.stdout)
        // History writes a NaN loss as null; replay reads it back as NaN, which check_finite stops on.
        _ = try write("""
            {"epochs": [0, 1, 2], "history": {"loss": [0.9, null, 0.7]}, "params": {"epochs": 3, "steps": 10}}
            """, to: "nan.json")
        let nan = try trainer("replay", "nan.json", "--plugin", "EarlyStopping", "--set", "monitor=loss", "--set", "check_finite=true")
        XCTAssertEqual(nan.status, 0, nan.output)
        XCTAssertFalse(nan.output.contains("is not a number"), nan.output)
        XCTAssertTrue(nan.stdout.contains("would have stopped at epoch 2 of 3"), nan.stdout)
    }
}
