import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// ProgbarLogger's output when standard output is not a terminal (a file here).
final class ProgbarLoggerTests: XCTestCase {
    /// Runs `body` with standard output sent to a file, and returns what was written.
    private func capturingStandardOutput(_ body: () throws -> Void) throws -> String {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("progbar-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        fflush(stdout)
        let saved = dup(STDOUT_FILENO)
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        dup2(fd, STDOUT_FILENO)
        close(fd)
        defer {
            fflush(stdout)
            dup2(saved, STDOUT_FILENO)
            close(saved)
        }
        try body()
        fflush(stdout)
        return try String(contentsOfFile: file, encoding: .utf8)
    }

    private let epochLogs: [(String, Double)] = [
        ("loss", 0.50101), ("accuracy", 0.8235), ("val_loss", 0.4433), ("val_accuracy", 0.84244),
        ("learning_rate", 0.001),
    ]

    private func runFit(verbose: Int?, epochs: Int = 2, steps: Int = 3) throws -> String {
        let progbar = try LoadedPlugin(product: "ProgbarLogger")
        let host = FakeHost(epochs: epochs, steps: steps, verbose: 1)
        return try capturingStandardOutput {
            let instance = try progbar.create(host: host, verbose.map { ["verbose": .int(Int64($0))] } ?? [:]).get()
            defer { progbar.destroy(instance) }
            progbar.call(\.on_train_begin, instance)
            for epoch in 0..<epochs {
                progbar.call(\.on_epoch_begin, instance, epoch)
                for batch in 0..<steps {
                    progbar.call(\.on_train_batch_begin, instance, batch)
                    progbar.call(\.on_train_batch_end, instance, batch, [("loss", 0.6), ("accuracy", 0.7)])
                }
                // Validation inside fit draws nothing of its own.
                progbar.call(\.on_test_begin, instance)
                progbar.call(\.on_test_batch_end, instance, 0, [("loss", 0.4)])
                progbar.call(\.on_test_end, instance, [("loss", 0.4)])
                progbar.call(\.on_epoch_end, instance, epoch, epochLogs)
            }
            progbar.call(\.on_train_end, instance, epochLogs)
        }
    }

    private func assertMatches(_ line: Substring, _ pattern: String, file: StaticString = #filePath, line number: UInt = #line) {
        let regex = try! Regex(pattern)
        XCTAssertNotNil(try? regex.wholeMatch(in: String(line)), "\(line) !~ \(pattern)", file: file, line: number)
    }

    func testVerboseOneOffATerminalPrintsOneLinePerEpoch() throws {
        let output = try runFit(verbose: nil)
        XCTAssertFalse(output.contains("\r"))
        XCTAssertFalse(output.contains("\u{1B}"))
        XCTAssertFalse(output.contains("learning_rate"))
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 5, output)
        XCTAssertEqual(lines[0], "Epoch 1/2")
        XCTAssertEqual(lines[2], "Epoch 2/2")
        let metrics = #" - loss: 0\.5010 - accuracy: 0\.8235 - val_loss: 0\.4433 - val_accuracy: 0\.8424"#
        for line in [lines[1], lines[3]] {
            assertMatches(line, #"3/3 ━{20} \d+s \d+(s|ms|us)/step"# + metrics)
        }
        XCTAssertEqual(lines[4], "")
    }

    func testVerboseTwoPrintsKerasOtherForm() throws {
        let output = try runFit(verbose: 2, epochs: 1, steps: 12)
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "no Epoch line for a single epoch, as Keras: \(output)")
        assertMatches(lines[0], #"12/12 - \d+s - \d+(s|ms|us)/step - loss: 0\.5010 - accuracy: 0\.8235"#
                      + #" - val_loss: 0\.4433 - val_accuracy: 0\.8424"#)
    }

    func testVerboseZeroPrintsNothing() throws {
        XCTAssertEqual(try runFit(verbose: 0), "")
    }

    func testSmallValuesUseExponentNotation() throws {
        let progbar = try LoadedPlugin(product: "ProgbarLogger")
        let host = FakeHost(epochs: 1, steps: 1)
        let output = try capturingStandardOutput {
            let instance = try progbar.create(host: host).get()
            defer { progbar.destroy(instance) }
            progbar.call(\.on_epoch_begin, instance, 0)
            progbar.call(\.on_train_batch_end, instance, 0, [("loss", 0.00012345)])
            progbar.call(\.on_epoch_end, instance, 0, [("loss", 0.00012345), ("mae", -0.5), ("x", .nan)])
        }
        XCTAssertTrue(output.hasSuffix(" - loss: 1.2345e-04 - mae: -0.5000 - x: nan\n"), output)
    }

    func testEvaluateOutsideFitGetsItsOwnBar() throws {
        let progbar = try LoadedPlugin(product: "ProgbarLogger")
        let host = FakeHost(epochs: 1, steps: 4)
        let output = try capturingStandardOutput {
            let instance = try progbar.create(host: host).get()
            defer { progbar.destroy(instance) }
            progbar.call(\.on_test_begin, instance)
            for batch in 0..<4 { progbar.call(\.on_test_batch_end, instance, batch, [("loss", 0.3)]) }
            progbar.call(\.on_test_end, instance, [("loss", 0.25), ("accuracy", 0.9)])
        }
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, output)
        assertMatches(lines[0], #"4/4 ━{20} \d+s \d+(s|ms|us)/step - loss: 0\.2500 - accuracy: 0\.9000"#)
    }
}
