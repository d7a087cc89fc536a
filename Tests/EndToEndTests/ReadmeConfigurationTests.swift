import Foundation
import PluginTestSupport
import XCTest

/// The configurations the README shows, run as written there (read from README.md itself, so
/// the README and the test cannot drift apart), and the examples it names.
final class ReadmeConfigurationTests: EndToEndTestCase {
    /// The ```toml blocks of README.md.
    static func readmeTOMLBlocks() throws -> [String] {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        return readme.components(separatedBy: "```toml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    /// "Using the callbacks": nine plugins in one run. Each leaves what the README says it does.
    func testTheNinePluginConfigurationOfTheREADME() throws {
        try requireFashionMNIST()
        let block = try XCTUnwrap(try Self.readmeTOMLBlocks().first { $0.contains("\"BackupAndRestore\"]") },
                                  "README.md shows the nine-plugin configuration")
        _ = try write("epochs = 3\n[data]\nlimit = 512\n" + block, to: "nine.toml")
        let result = try trainer("train", "nine.toml", "--run-dir", "run", "--verbose", "2")
        XCTAssertEqual(result.status, 0, result.output)
        let run = directory.appendingPathComponent("run")
        let names = try FileManager.default.contentsOfDirectory(atPath: run.path)

        // ProgbarLogger: one line per epoch (not a terminal), every log named.
        XCTAssertEqual(result.stdout.components(separatedBy: " - val_accuracy: ").count - 1, 3, result.stdout)
        // History and CSVLogger: the same three epochs.
        let history = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("history.json")))
            as? [String: Any])
        XCTAssertEqual(history["epochs"] as? [Int], [0, 1, 2])
        let csv = try String(contentsOf: run.appendingPathComponent("training.csv"), encoding: .utf8)
        XCTAssertEqual(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 4, csv)
        // ModelCheckpoint: at most the 2 best, named by the template, plus last.safetensors.
        let best = names.filter { $0.range(of: #"^model\.0[1-3]-[0-9]+\.[0-9]{2}\.safetensors$"#, options: .regularExpression) != nil }
        XCTAssertTrue((1...2).contains(best.count), "\(names)")
        XCTAssertTrue(names.contains("last.safetensors"), "\(names)")
        // TensorBoard: event files laid out as Keras does.
        for part in ["train", "validation"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("logs/\(part)").path)
            XCTAssertEqual(files.filter { $0.hasPrefix("events.out.tfevents.") }.count, 1, "\(part): \(files)")
        }
        // EarlyStopping and ModelCheckpoint report their best epoch.
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("report.json")))
            as? [String: [String: Double]])
        XCTAssertNotNil(report["EarlyStopping"]?["best_epoch"], "\(report)")
        XCTAssertNotNil(report["ModelCheckpoint"]?["best_epoch"], "\(report)")
        // BackupAndRestore: the backup (relative to the working directory) is gone at the end.
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("backup").path))
        XCTAssertTrue(names.contains("weights.safetensors"))
    }

    /// The configuration file shown under "The configuration file" is valid as written.
    func testTheConfigurationFileOfTheREADMEIsValid() throws {
        try requireFashionMNIST()
        let block = try XCTUnwrap(try Self.readmeTOMLBlocks().first { $0.hasPrefix("epochs = 5") })
        _ = try write(block.replacingOccurrences(of: "epochs = 5", with: "epochs = 1")
                        .replacingOccurrences(of: "# limit = 1000", with: "limit = 256"), to: "readme.toml")
        let result = try trainer("train", "readme.toml", "--run-dir", "run", "--verbose", "2")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("Training on 256 samples, validating on 256"), result.stdout)
    }

    /// examples/fashion-cnn.toml trains (one short epoch) and its weights are the CNN's.
    func testTheCNNExampleTrains() throws {
        try requireFashionMNIST()
        let result = try trainer("train", TrainerBinary.repositoryExamples + "/fashion-cnn.toml", "--epochs", "1",
                                 "--limit", "128", "--run-dir", "cnn", "--verbose", "2")
        XCTAssertEqual(result.status, 0, result.output)
        for layer in ["conv2d (Conv2D)", "max_pooling2d (MaxPooling2D)", "conv2d_1 (Conv2D)", "dropout (Dropout)"] {
            XCTAssertTrue(result.stdout.contains(layer), "\(layer) missing in the summary:\n\(result.stdout)")
        }
        let weights = try Data(contentsOf: directory.appendingPathComponent("cnn/weights.safetensors"))
        XCTAssertNotNil(String(decoding: weights.prefix(4096), as: UTF8.self).range(of: "\"conv2d/kernel\""))
    }
}
