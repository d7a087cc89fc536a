import Foundation
import XCTest

/// Bad input from a file or the command line is a clear error with exit status 2, naming the
/// file and the key (or the layer, or the expression's column): never a trap, a hang or a
/// giant allocation; and a command that fails, or evaluates and predicts, leaves no empty
/// run directory behind.
final class HostileInputTests: EndToEndTestCase {
    /// Two samples of two features: a run over them takes a moment.
    func writeTinyCSV(_ name: String = "tiny.csv") throws {
        _ = try write("x,y,label\n0.5,1,1\n-1,0.25,0\n", to: name)
    }

    /// A configuration training `layers` (TOML tables) on tiny.csv, with `extra` at the top.
    func writeConfig(_ name: String = "run.toml", layers: String = "[[model.layers]]\ntype = \"Dense\"\nunits = 2",
                     data: String = "", extra: String = "", plugins: String = "enabled = []") throws {
        _ = try write("""
            \(extra)
            \(layers)

            [data]
            format = "csv"
            train_features = "tiny.csv"
            \(data)

            [plugins]
            \(plugins)
            """, to: name)
    }

    func assertUsageError(_ result: TrainerBinary.Result, naming words: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 2, result.output, file: file, line: line)
        for word in words {
            XCTAssertTrue(result.stderr.contains(word), "stderr does not name \(word): \(result.stderr)", file: file, line: line)
        }
        XCTAssertFalse(result.stderr.contains("Program crashed"), result.stderr, file: file, line: line)
    }

    var runsDirectoryExists: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("runs").path)
    }

    // MARK: - Numbers

    func testALabelOfTwentyDigitsIsAnErrorNamingTheFileAndColumn() throws {
        _ = try write("x,y,label\n0.5,1,12345678901234567890\n", to: "tiny.csv")
        try writeConfig()
        let result = try trainer("train", "run.toml", "--verbose", "0")
        assertUsageError(result, naming: ["tiny.csv", "line 2", "\"label\"", "1.2345678901234567e+19"])
        XCTAssertFalse(runsDirectoryExists, "a run that fails before training leaves no run directory")
    }

    func testAFeatureOfTwentyDigitsIsANumber() throws {
        _ = try write("x,y,label\n12345678901234567890,1,1\n-1,0.25,0\n", to: "tiny.csv")
        try writeConfig()
        let result = try trainer("train", "run.toml", "--verbose", "0", "--epochs", "1", "--run-dir", "out")
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testTheLargestBatchSizeTrainsOnTheSamplesThatExist() throws {
        try writeTinyCSV()
        try writeConfig(plugins: "enabled = [\"History\"]")
        let result = try trainer("train", "run.toml", "--verbose", "0", "--epochs", "1", "--run-dir", "out",
                                 "--batch-size", "9223372036854775807")
        XCTAssertEqual(result.status, 0, result.output)
        let history = try String(contentsOf: directory.appendingPathComponent("out/history.json"), encoding: .utf8)
        XCTAssertTrue(history.contains("\"steps\": 1"), history)
    }

    func testALimitBelowOneIsRefusedNamingTheOption() throws {
        try writeTinyCSV()
        try writeConfig()
        assertUsageError(try trainer("train", "run.toml", "--limit=-1"), naming: ["--limit"])
        assertUsageError(try trainer("train", "run.toml", "--batch-size=0"), naming: ["--batch-size"])
    }

    func testRescaleNaNOrInfinityIsRefusedNamingTheKey() throws {
        try writeTinyCSV()
        for value in ["nan", "inf", "-inf"] {
            try writeConfig(data: "rescale = \(value)")
            assertUsageError(try trainer("train", "run.toml"), naming: ["run.toml", "data.rescale", "finite"])
        }
    }

    func testATableHeaderWithoutAKeyIsAnErrorNamingTheFileNotAnAbort() throws {
        _ = try write("epochs = 1\n[\u{E9}]\n", to: "run.toml")
        assertUsageError(try trainer("train", "run.toml"), naming: ["run.toml", "line 2, column 2", "table header"])
    }

    // MARK: - Shapes and sizes a header claims

    func testASafetensorsShapeWhoseProductOverflowsIsRefusedNamingTheFileAndTensor() throws {
        try writeTinyCSV()
        try writeConfig()
        let header = #"{"dense/kernel":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#
        var file = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(contentsOf: Array(header.utf8) + [UInt8](repeating: 0, count: 16))
        try file.write(to: directory.appendingPathComponent("huge.safetensors"))
        let result = try trainer("evaluate", "run.toml", "--weights", "huge.safetensors")
        assertUsageError(result, naming: ["--weights", "huge.safetensors", "dense/kernel", "[4294967296, 4294967296]"])
        XCTAssertFalse(runsDirectoryExists, "evaluate leaves no run directory")
    }

    func npy(shape: String, data: [UInt8]) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
                    + Array(header.utf8) + data)
    }

    func testAnNPYShapeWhoseProductOverflowsIsRefusedNamingTheFile() throws {
        try npy(shape: "(4294967296, 4294967296, 4294967296)", data: [UInt8](repeating: 0, count: 16))
            .write(to: directory.appendingPathComponent("x.npy"))
        _ = try write("""
            [[model.layers]]
            type = "Dense"
            units = 2
            [data]
            format = "npy"
            train_features = "x.npy"
            train_labels = "x.npy"
            [plugins]
            enabled = []
            """, to: "run.toml")
        assertUsageError(try trainer("train", "run.toml"), naming: ["x.npy", "[4294967296, 4294967296, 4294967296]", "too large"])
    }

    /// An IDX header: type byte 08 (unsigned bytes) and the dimensions.
    func idxHeader(_ dimensions: [UInt32]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xff) } }
    }

    func writeIDXConfig(images: String) throws {
        try Data(idxHeader([2]) + [1, 0]).write(to: directory.appendingPathComponent("labels-idx1-ubyte"))
        _ = try write("""
            [data]
            train_features = "\(images)"
            train_labels = "labels-idx1-ubyte"
            [plugins]
            enabled = []
            """, to: "run.toml")
    }

    func testAnIDXHeaderClaimingTwoBillionImagesOnASmallFileIsRefusedNamingTheFile() throws {
        try Data(idxHeader([1 << 31, 28, 28]) + [UInt8](repeating: 0, count: 100))
            .write(to: directory.appendingPathComponent("claim-idx3-ubyte"))
        try writeIDXConfig(images: "claim-idx3-ubyte")
        assertUsageError(try trainer("train", "run.toml"),
                         naming: ["claim-idx3-ubyte", "truncated", "[2147483648, 28, 28]", "1683627180032 bytes"])
    }

    func testAGzipStreamLongerThanItsIDXHeaderDeclaresStopsThere() throws {
        // Two 28×28 images declared, 16 MB of zeros in the stream: decompression must stop at
        // the declared 1584 bytes (the message says where), not inflate it all.
        try Data(Gzip.bomb(prefix: idxHeader([2, 28, 28]), zeros: 16 << 20))
            .write(to: directory.appendingPathComponent("bomb-idx3-ubyte.gz"))
        try writeIDXConfig(images: "bomb-idx3-ubyte.gz")
        assertUsageError(try trainer("train", "run.toml"),
                         naming: ["bomb-idx3-ubyte.gz", "more than the 1584 bytes its IDX header declares", "stopped"])
    }

    // MARK: - Model and expressions

    func testADenseLayerTooLargeForMemoryIsRefusedNamingTheLayerAndItsSize() throws {
        try writeTinyCSV()
        try writeConfig(layers: """
            [[model.layers]]
            type = "Dense"
            units = 4
            [[model.layers]]
            type = "Dense"
            units = 1000000000000
            name = "huge"
            """)
        let result = try trainer("train", "run.toml")
        assertUsageError(result, naming: ["run.toml", "model.layers[1]", "layer 'huge'", "5000000000000 parameters",
                                          "[4, 1000000000000]", "memory"])
        XCTAssertFalse(runsDirectoryExists)
    }

    func testExpressionsNestedTenThousandDeepAreRefusedWithTheColumn() throws {
        try writeTinyCSV()
        try writeConfig()
        let deep = String(repeating: "(", count: 10000) + "1" + String(repeating: ")", count: 10000)
        let condition = try trainer("train", "run.toml", "--verbose", "0", "--plugin", "StopWhen", "--set", "condition=\(deep)")
        assertUsageError(condition, naming: ["StopWhen", "condition", "column 257", "deeper than 256"])
        let schedule = try trainer("train", "run.toml", "--verbose", "0", "--plugin", "LearningRateScheduler",
                                   "--set", "schedule=lr" + String(repeating: " * 1", count: 10000))
        assertUsageError(schedule, naming: ["LearningRateScheduler", "schedule", "column", "deeper than 256"])
        XCTAssertFalse(runsDirectoryExists, "a run whose plugins could not start leaves no run directory")
    }

    // MARK: - Run directories

    func testARunDirectoryUnderAFileIsFoundBeforeTheFirstStep() throws {
        try writeTinyCSV()
        try writeConfig(extra: "run_dir = \"somefile/fromconfig\"")
        _ = try write("not a directory", to: "somefile")
        assertUsageError(try trainer("train", "run.toml", "--run-dir", "somefile/run"),
                         naming: ["--run-dir", "somefile/run", "somefile is a file"])
        assertUsageError(try trainer("train", "run.toml"), naming: ["run.toml", "run_dir", "somefile/fromconfig"])
        assertUsageError(try trainer("train", "run.toml", "--run-dir", "/proc/trainer-run"), naming: ["--run-dir", "/proc/trainer-run"])
        XCTAssertFalse(runsDirectoryExists)
    }

    func testEvaluateAndPredictLeaveNoEmptyRunDirectory() throws {
        try writeTinyCSV()
        try writeConfig()
        XCTAssertEqual(try trainer("train", "run.toml", "--verbose", "0", "--epochs", "1", "--run-dir", "trained").status, 0)
        let weights = "trained/weights.safetensors"
        let evaluated = try trainer("evaluate", "run.toml", "--weights", weights, "--verbose", "0")
        XCTAssertEqual(evaluated.status, 0, evaluated.output)
        try npy(shape: "(1, 2)", data: [0, 0, 0, 63, 0, 0, 128, 63]).write(to: directory.appendingPathComponent("in.npy"))
        let predicted = try trainer("predict", "run.toml", "--weights", weights, "--input", "in.npy", "--output", "out.csv",
                                    "--verbose", "0")
        XCTAssertEqual(predicted.status, 0, predicted.output)
        XCTAssertFalse(runsDirectoryExists, "evaluate and predict wrote nothing, so no runs/ is left")
    }

    // MARK: - trainer.toml

    func testEnablingAndDisablingPluginsKeepsEveryComment() throws {
        let original = """
            # top comment
            epochs = 2   # trailing at the top

            [model] # model header comment
            # inside model
            loss = "sparse_categorical_crossentropy"  # the loss

            [plugins]   # plugins header comment
            # before enabled
            enabled = [
                "ProgbarLogger",  # the bar
                # between items
                "History",
            ]   # after the list

            [plugins.StopAtAccuracy]   # parked table
            # parked comment
            threshold = 0.5   # parked threshold

            # closing comment
            """
        _ = try write(original, to: "trainer.toml")
        let enabled = try trainer("plugins", "enable", "StopAtAccuracy", "--set", "threshold=0.8", "--set", "monitor=val_accuracy")
        XCTAssertEqual(enabled.status, 0, enabled.output)
        let disabled = try trainer("plugins", "disable", "History")
        XCTAssertEqual(disabled.status, 0, disabled.output)
        let text = try String(contentsOf: directory.appendingPathComponent("trainer.toml"), encoding: .utf8)
        for comment in original.split(separator: "\n").compactMap({ line in line.firstIndex(of: "#").map { String(line[$0...]) } }) {
            XCTAssertTrue(text.contains(comment), "lost \(comment):\n\(text)")
        }
        XCTAssertTrue(text.contains("threshold = 0.8  # parked threshold"), text)
        XCTAssertTrue(text.contains("enabled = [\"ProgbarLogger\", \"StopAtAccuracy\"]  # after the list"), text)
        XCTAssertEqual(try trainer("plugins", "list").status, 0, "the edited file still reads")
    }
}

/// Gzip data made by hand, for files no real compressor would write.
enum Gzip {
    /// A gzip member whose deflate stream holds `prefix` then `zeros` zero bytes (fixed
    /// Huffman codes: literals, then length-258 copies at distance 1), cut off before its end:
    /// 13 bits for every 258 bytes it inflates to.
    static func bomb(prefix: [UInt8], zeros: Int) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        var bits: UInt64 = 0, count = 0
        func put(_ value: UInt32, _ length: Int) {  // LSB first
            bits |= UInt64(value) << count
            count += length
            while count >= 8 { out.append(UInt8(bits & 0xff)); bits >>= 8; count -= 8 }
        }
        func code(_ value: UInt32, _ length: Int) {  // Huffman codes go MSB first
            var reversed: UInt32 = 0
            for i in 0..<length where value & (1 << i) != 0 { reversed |= 1 << (length - 1 - i) }
            put(reversed, length)
        }
        func literal(_ byte: UInt8) {
            if byte < 144 { code(0x30 + UInt32(byte), 8) } else { code(0x190 + UInt32(byte) - 144, 9) }
        }
        put(0, 1)  // not the last block
        put(1, 2)  // fixed Huffman codes
        for byte in prefix { literal(byte) }
        literal(0)
        var written = 1
        while written + 258 <= zeros {
            code(0xC5, 8)  // length 258 (code 285)
            code(0, 5)     // distance 1
            written += 258
        }
        code(0, 7)  // end of block; the stream goes on (no final block, no trailer)
        if count > 0 { out.append(UInt8(bits & 0xff)) }
        return out
    }
}
