import Foundation
import PluginTestSupport
import XCTest

/// The files as the real TensorBoard reads them: scripts/tensorboard-events loads a log
/// directory with TensorBoard's own EventAccumulator (and the loader its web app serves from)
/// and prints what it found. Skipped when Python's `tensorboard` package is missing
/// (pip install tensorboard).
final class RealTensorBoardTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        guard try Self.tensorBoardProbe.get().status == 0 else {
            throw XCTSkip("python3 cannot import tensorboard (pip install tensorboard)")
        }
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// `python3 -c "import tensorboard"`, run once: status 0 when TensorBoard is installed. A
    /// probe that times out fails the tests rather than skipping them.
    static let tensorBoardProbe = Swift.Result { try ChildProcess.run(["python3", "-c", "import tensorboard"]) }

    func testTensorBoardReadsScalarsHistogramsAndText() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [TensorBoardTests.kernel, TensorBoardTests.bias])
        host.learningRate = 0.25
        let instance = try plugin.create(host: host, ["histogram_freq": .int(1), "update_freq": .string("batch"),
                                                      "write_images": .bool(true)]).get()
        XCTAssertEqual(plugin.call(\.on_train_begin, instance), statusOK)
        for e in 0..<2 {
            XCTAssertEqual(plugin.call(\.on_epoch_begin, instance, e), statusOK)
            for b in 0..<3 {
                XCTAssertEqual(plugin.call(\.on_train_batch_begin, instance, b), statusOK)
                XCTAssertEqual(plugin.call(\.on_train_batch_end, instance, b, TensorBoardTests.batchLogs(b)), statusOK)
            }
            XCTAssertEqual(plugin.call(\.on_test_begin, instance), statusOK)
            XCTAssertEqual(plugin.call(\.on_test_end, instance, [("loss", 0.5), ("accuracy", 0.75)]), statusOK)
            XCTAssertEqual(plugin.call(\.on_epoch_end, instance, e, TensorBoardTests.epochLogs(e)), statusOK)
        }
        XCTAssertEqual(plugin.call(\.on_train_end, instance, TensorBoardTests.epochLogs(1)), statusOK)
        plugin.destroy(instance)

        let result = try ChildProcess.run([Repository.root + "/scripts/tensorboard-events", dir + "/logs"])
        XCTAssertEqual(result.status, 0, result.errors)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.outputData) as? [String: Any])
        let train = try XCTUnwrap(json["train"] as? [String: Any])
        let validation = try XCTUnwrap(json["validation"] as? [String: Any])

        for (run, contents) in [("train", train), ("validation", validation)] {
            // TensorBoard's TFRecord reader checks every CRC; one file per run, starting with
            // the file_version event, which the accumulator parses as version 2.
            let files = try XCTUnwrap(contents["files"] as? [[String: Any]], run)
            XCTAssertEqual(files.count, 1, run)
            XCTAssertTrue(files.first?["error"] is NSNull, "\(run): \(files)")
            XCTAssertEqual(files.first?["first_file_version"] as? String, "brain.Event:2", run)
            XCTAssertGreaterThan(files.first?["records"] as? Int ?? 0, 2, run)
            XCTAssertEqual(contents["file_version"] as? Double, 2, run)
        }

        let trainScalars = try XCTUnwrap(train["scalars"] as? [String: [[Double]]])
        XCTAssertEqual(Set(trainScalars.keys),
                       ["epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"])
        XCTAssertEqual(trainScalars["epoch_loss"]?.map { $0[0] }, [0, 1])
        assertClose(trainScalars["epoch_loss"]?.map { $0[1] }, [0.5, 0.4])
        XCTAssertEqual(trainScalars["epoch_learning_rate"]?.map { $0[1] }, [0.25, 0.25])
        XCTAssertEqual(trainScalars["batch_loss"]?.map { $0[0] }, [1, 2, 3, 4, 5, 6])
        assertClose(trainScalars["batch_loss"]?.map { $0[1] }, [1, 0.5, 1.0 / 3, 1, 0.5, 1.0 / 3])

        let validationScalars = try XCTUnwrap(validation["scalars"] as? [String: [[Double]]])
        XCTAssertEqual(Set(validationScalars.keys),
                       ["epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                        "evaluation_accuracy_vs_iterations"])
        XCTAssertEqual(validationScalars["epoch_loss"]?.map { $0[1] }, [0.625, 0.5])
        XCTAssertEqual(validationScalars["epoch_accuracy"]?.map { $0[1] }, [0.625, 0.6875])
        XCTAssertEqual(validationScalars["evaluation_loss_vs_iterations"]?.map { $0[0] }, [3, 6])

        let histograms = try XCTUnwrap(train["histograms"] as? [String: [[String: Any]]])
        XCTAssertEqual(Set(histograms.keys), ["dense/kernel", "dense/bias"])
        let kernel = try XCTUnwrap(histograms["dense/kernel"])
        XCTAssertEqual(kernel.map { $0["step"] as? Int }, [0, 1])
        XCTAssertEqual(kernel[0]["min"] as? Double, -0.5)
        XCTAssertEqual(kernel[0]["max"] as? Double, 3)
        XCTAssertEqual(kernel[0]["num"] as? Double, 6)
        XCTAssertEqual((kernel[0]["bucket"] as? [Double])?.reduce(0, +), 6)

        let tensors = try XCTUnwrap(train["tensors"] as? [String: [[Any]]])
        let summary = try XCTUnwrap(tensors["model_summary"]?.first?[1] as? String)
        XCTAssertTrue(summary.contains("dense/kernel"), summary)

        // What the web app's dashboards list, after TensorBoard converts simple_value and
        // histo values into its plugins' tensors.
        let dashboards = try XCTUnwrap(train["dashboards"] as? [String: [String]])
        XCTAssertEqual(dashboards["scalars"],
                       ["batch_accuracy", "batch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_loss"])
        XCTAssertEqual(dashboards["histograms"], ["dense/bias", "dense/kernel"])
        XCTAssertEqual(dashboards["text"], ["model_summary"])
        let served = try XCTUnwrap(train["dashboard_values"] as? [String: [[Double]]])
        assertClose(served["epoch_loss"]?.map { $0[1] }, [0.5, 0.4])
        XCTAssertEqual(dashboards["images"], ["dense/bias/image", "dense/kernel/image"])
        // The PNGs as Python's zlib decodes them: the Dense kernel [[-0.5, -0.25, 0], [0.125, 0.5, 3]].
        let images = try XCTUnwrap(train["images"] as? [String: [[String: Any]]])
        let kernelImages = try XCTUnwrap(images["dense/kernel/image"])
        XCTAssertEqual(kernelImages.map { $0["step"] as? Int }, [0, 1])
        XCTAssertEqual(kernelImages[0]["width"] as? Int, 3)
        XCTAssertEqual(kernelImages[0]["height"] as? Int, 2)
        let png = try XCTUnwrap((kernelImages[0]["pngs"] as? [[String: Any]])?.first)
        XCTAssertEqual(png["channels"] as? Int, 1)
        XCTAssertEqual(png["rows"] as? [[Int]], [[0, 0, 0], [31, 127, 255]])
        let validationDashboards = try XCTUnwrap(validation["dashboards"] as? [String: [String]])
        XCTAssertEqual(validationDashboards["scalars"],
                       ["epoch_accuracy", "epoch_loss", "evaluation_accuracy_vs_iterations",
                        "evaluation_loss_vs_iterations"])
    }

    /// Scalars are float32 in the files: equal to the written doubles within float precision.
    private func assertClose(_ got: [Double]?, _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        guard let got, got.count == expected.count else {
            return XCTFail("\(String(describing: got)) vs \(expected)", file: file, line: line)
        }
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g, e, accuracy: 1e-7 * max(1, abs(e)), file: file, line: line)
        }
    }
}
