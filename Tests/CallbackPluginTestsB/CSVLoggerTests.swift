import Foundation
import PluginTestSupport
import XCTest

/// CSVLogger driven through the C ABI: Keras's file, byte for byte.
final class CSVLoggerTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try TemporaryDirectory.create() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func make(_ settings: [String: ParameterValue] = [:]) throws -> PluginInstance {
        try LoadedPlugin(product: "CSVLogger").createInstance(host: FakeHost(runDirectory: dir), settings).get()
    }

    private func read(_ name: String = "training.log") throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)), as: UTF8.self)
    }

    private func epochs(_ logger: PluginInstance, _ rows: [[(String, Double)]], from first: Int = 0) {
        for (i, logs) in rows.enumerated() {
            XCTAssertEqual(logger.epochBegin(first + i), statusOK)
            XCTAssertEqual(logger.epochEnd(first + i, logs), statusOK)
        }
    }

    func testWritesKerasFileAndFlushesEveryEpoch() throws {
        let logger = try make()
        XCTAssertEqual(logger.trainBegin(), statusOK)
        XCTAssertEqual(try read(), "", "the file is emptied when training begins")
        let logs: [(String, Double)] = [("loss", 0.5010263919830322), ("accuracy", 0.8235000967979431),
                                        ("val_loss", 0.44), ("val_accuracy", 1e-05), ("learning_rate", 0.0010000000474974513)]
        epochs(logger, [logs])
        XCTAssertEqual(try read(), "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\r\n"
                                 + "0,0.8235000967979431,0.0010000000474974513,0.5010263919830322,1e-05,0.44\r\n")
        epochs(logger, [[("loss", .nan), ("accuracy", 1), ("val_loss", .infinity)]], from: 1)
        XCTAssertEqual(try read().split(separator: "\r\n").last, "1,1.0,NA,nan,NA,inf")
        XCTAssertEqual(logger.trainEnd(), statusOK)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["training.log"], "no temporary file left")
    }

    func testWithoutValidationKerasAddsValColumnsLeftNA() throws {
        let logger = try make(["filename": .string("log.csv"), "separator": .string("\t")])
        logger.trainBegin()
        epochs(logger, [[("loss", 0.25), ("accuracy", 0.75)]])
        XCTAssertEqual(try read("log.csv"), "epoch\taccuracy\tloss\tval_accuracy\tval_loss\r\n0\t0.75\t0.25\tNA\tNA\r\n")
    }

    func testAppendKeepsTheOldHeaderAndRows() throws {
        let old = "epoch,loss\r\n0,0.9\r\n"
        try Data(old.utf8).write(to: URL(fileURLWithPath: dir + "/log.csv"))
        let logger = try make(["filename": .string("log.csv"), "append": .bool(true)])
        logger.trainBegin()
        epochs(logger, [[("loss", 0.8), ("val_loss", 0.7)]], from: 1)
        XCTAssertEqual(try read("log.csv"), old + "1,0.8,0.7\r\n")

        // Without append the same file is overwritten.
        let fresh = try make(["filename": .string("log.csv")])
        fresh.trainBegin()
        epochs(fresh, [[("loss", 0.8), ("val_loss", 0.7)]])
        XCTAssertEqual(try read("log.csv"), "epoch,loss,val_loss\r\n0,0.8,0.7\r\n")
    }

    func testAppendToAMissingOrEmptyFileWritesTheHeader() throws {
        let logger = try make(["filename": .string("logs/run.csv"), "append": .bool(true)])
        logger.trainBegin()
        epochs(logger, [[("loss", 0.5), ("val_loss", 0.6)]])
        XCTAssertEqual(try read("logs/run.csv"), "epoch,loss,val_loss\r\n0,0.5,0.6\r\n")

        try Data().write(to: URL(fileURLWithPath: dir + "/empty.csv"))
        let second = try make(["filename": .string("empty.csv"), "append": .bool(true)])
        second.trainBegin()
        epochs(second, [[("loss", 0.5), ("val_loss", 0.6)]])
        XCTAssertEqual(try read("empty.csv"), "epoch,loss,val_loss\r\n0,0.5,0.6\r\n")
    }

    func testColumnsAreFixedByTheFirstEpochAndFieldsQuotedAsPythonsCSV() throws {
        let logger = try make(["filename": .string("log.csv"), "separator": .string(".")])
        logger.trainBegin()
        epochs(logger, [[("loss", 0.5), ("val_loss", 2)], [("loss", 0.25), ("extra", 1)]])
        XCTAssertEqual(try read("log.csv"), "epoch.loss.val_loss\r\n0.\"0.5\".\"2.0\"\r\n1.\"0.25\".NA\r\n")
    }

    func testBadSeparatorIsRefused() throws {
        let plugin = try LoadedPlugin(product: "CSVLogger")
        let host = FakeHost(runDirectory: dir)
        XCTAssertEqual(plugin.creationError(host: host, ["separator": .string(", ")]),
                       "separator must be one character, got ', ' (Python's csv module: \"delimiter\" must be a 1-character string)")
        XCTAssertEqual(plugin.creationError(host: host, ["separator": .string("\"")]), "separator cannot be a quote or a line break")
    }

    func testStateRoundTripContinuesTheSameFile() throws {
        let first = try make()
        first.trainBegin()
        epochs(first, [[("loss", 0.5), ("val_loss", 0.6)]])
        let state = try XCTUnwrap(first.saveState())

        let resumed = try make()
        XCTAssertEqual(resumed.loadState(state), statusOK)
        resumed.trainBegin()
        epochs(resumed, [[("loss", 0.4), ("val_loss", 0.5), ("new", 1)]], from: 1)
        XCTAssertEqual(try read(), "epoch,loss,val_loss\r\n0,0.5,0.6\r\n1,0.4,0.5\r\n")
        XCTAssertEqual(resumed.loadState(Array(state.dropLast())), statusError)
    }
}
