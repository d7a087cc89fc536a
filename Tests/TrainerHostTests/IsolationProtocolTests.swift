import XCTest

@testable import TrainerHost

/// The plugin-host protocol: every message survives encoding and decoding, and a frame that is
/// truncated, too long, of an unknown kind or with bytes left over is garbage, never a crash or
/// a read past its end.
final class IsolationProtocolTests: XCTestCase {
    static let identity = FileIdentity(device: 1, inode: 2, size: 3, modifiedSeconds: 4, modifiedNanoseconds: 5)

    static let messages: [IsolationMessage] = [
        .open(.init(path: "/p/libX.so", identity: identity, descriptor: Array("{}".utf8),
                    values: [.none, .bool(true), .int(-7), .double(0.5), .string("val_loss")])),
        .name(id: 0, text: "loss"),
        .hook(.epochEnd, index: 3, logs: [.init(name: 0, value: 0.25), .init(name: 1, value: .infinity)]),
        .hook(.trainBegin, index: 0, logs: []),
        .saveState,
        .loadState([1, 2, 3]),
        .destroy,
        .reply(.done),
        .reply(.number(0.001)),
        .reply(.count(-1)),
        .reply(.status(1, message: "no such file")),
        .reply(.runParams(status: 0, RunParameters(verbose: 2, epochs: 5, steps: 1875, batchSize: 32, samples: 60000,
                                                   initialEpoch: 1, runDirectory: "runs/a", validationSamples: 10000))),
        .reply(.weight(status: 0, name: "dense/kernel", shape: [784, 128], count: 100352, offset: 64, regionSize: 407_040)),
        .reply(.logs(status: 0, [.init(name: "loss", value: 0.3), .init(name: "accuracy", value: 0.9)])),
        .reply(.flag(true)),
        .reply(.resume(status: 0, found: true, message: "")),
        .created(hooks: PluginHook.mask([.epochEnd, .trainBatchEnd]), savesState: true, loadsState: false),
        .result(status: 0, message: ""),
        .state(status: 0, bytes: [9, 8]),
        .request(.stopTraining), .request(.getLearningRate), .request(.setLearningRate(0.5)), .request(.getRunParams),
        .request(.snapshotWeights), .request(.restoreWeights(4)), .request(.releaseSnapshot(4)), .request(.weightCount),
        .request(.getWeight(2)), .request(.saveWeights(path: "a.safetensors")), .request(.loadWeights(path: "b")),
        .request(.evaluate), .request(.log(level: 2, message: "careful")), .request(.getExtension("trainer.report/1")),
        .request(.report(name: "best_epoch", value: 3)), .request(.checkpointSave(directory: "backup")),
        .request(.checkpointResume(directory: "backup")), .request(.checkpointRemove(directory: "backup")),
        // ABI 1.2
        .request(.stopTrainingBecause("val_loss diverged")), .request(.distributedRank), .request(.distributedWorldSize),
        .request(.logsSet(name: "val_f1", value: 0.75)), .request(.setWeight(index: 1, values: [0.5, -1, .infinity])),
        .request(.setWeights([[1, 2], [], [3]])), .request(.validationBatches), .request(.predictValidationBatch(7)),
        .request(.predict(rows: 2, inputSize: 2, inputs: [0, 1, 2, 3])),
        .reply(.prediction(status: 0, message: "", .init(firstSample: 32, rows: 2, outputSize: 3, outputs: [0.1, 0.2, 0.7, 1, 0, 0],
                                                         targetSize: 1, targets: [2, 0]))),
        .reply(.prediction(status: 1, message: "no validation data", .init())),
    ]

    /// A prediction whose counts do not match its values (or overflow) is garbage.
    func testAPredictionOfInconsistentSizesIsGarbage() {
        for (rows, width) in [(Int64(2), Int64(4)), (-1, 3), (Int64.max / 2, 3)] {
            let message = IsolationMessage.reply(.prediction(status: 0, message: "", .init(
                firstSample: 0, rows: rows, outputSize: width, outputs: [1, 2, 3, 4, 5, 6], targetSize: 0, targets: [])))
            var reader = WireFrameReader()
            frame(message).withUnsafeBytes { reader.append($0) }
            XCTAssertThrowsError(try IsolationMessage.decode(try XCTUnwrap(reader.next())), "rows \(rows) x \(width)")
        }
    }

    func frame(_ message: IsolationMessage) -> [UInt8] {
        var writer = WireWriter()
        message.encode(into: &writer)
        return writer.bytes
    }

    func testEveryMessageSurvivesTheRoundTrip() throws {
        for message in Self.messages {
            var reader = WireFrameReader()
            frame(message).withUnsafeBytes { reader.append($0) }
            let body = try XCTUnwrap(reader.next(), "\(message)")
            XCTAssertEqual(try IsolationMessage.decode(body), message)
            XCTAssertEqual(reader.pendingByteCount, 0)
        }
    }

    /// Frames arrive in any pieces: byte by byte, several in one read.
    func testFramesAreCutFromAStreamInAnyPieces() throws {
        let stream = Self.messages.flatMap(frame)
        var reader = WireFrameReader()
        var decoded: [IsolationMessage] = []
        for byte in stream {
            [byte].withUnsafeBytes { reader.append($0) }
            while let body = try reader.next() { decoded.append(try IsolationMessage.decode(body)) }
        }
        XCTAssertEqual(decoded, Self.messages)
    }

    /// Every prefix of every message's body is refused as garbage.
    func testEveryTruncatedBodyIsGarbage() {
        for message in Self.messages {
            let body = Array(frame(message).dropFirst(4))
            for length in 0..<body.count {
                XCTAssertThrowsError(try IsolationMessage.decode(Array(body.prefix(length))), "\(message) cut at \(length)") { error in
                    XCTAssertTrue(error is IsolationGarbage, "\(error)")
                }
            }
        }
    }

    func testBytesLeftOverAreGarbage() {
        for message in Self.messages {
            let body = Array(frame(message).dropFirst(4)) + [0]
            XCTAssertThrowsError(try IsolationMessage.decode(body), "\(message)")
        }
    }

    func testUnknownKindsAndCodesAreGarbage() {
        XCTAssertThrowsError(try IsolationMessage.decode([200]))
        XCTAssertThrowsError(try IsolationMessage.decode([IsolationMessage.Kind.hook.rawValue, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                             "a hook code past the table")
        XCTAssertThrowsError(try IsolationMessage.decode([IsolationMessage.Kind.request.rawValue, 99]))
        XCTAssertThrowsError(try IsolationMessage.decode([IsolationMessage.Kind.reply.rawValue, 99]))
        XCTAssertThrowsError(try IsolationMessage.decode([IsolationMessage.Kind.created.rawValue, 0, 0, 0, 0, 2, 0]),
                             "a flag that is neither 0 nor 1")
    }

    /// A count larger than the frame can hold is refused before anything is allocated for it.
    func testACountLargerThanTheFrameIsGarbage() {
        var body: [UInt8] = [IsolationMessage.Kind.hook.rawValue, 3] + [UInt8](repeating: 0, count: 8)
        body += [0xff, 0xff, 0xff, 0xff]
        XCTAssertThrowsError(try IsolationMessage.decode(body)) { error in
            XCTAssertEqual((error as? IsolationGarbage)?.description, "a count of 4294967295 in a frame too short for it")
        }
        let string: [UInt8] = [IsolationMessage.Kind.name.rawValue, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 65]
        XCTAssertThrowsError(try IsolationMessage.decode(string))
    }

    func testStringsThatAreNotTextAreGarbage() {
        let body: [UInt8] = [IsolationMessage.Kind.name.rawValue, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0x28]
        XCTAssertThrowsError(try IsolationMessage.decode(body)) { error in
            XCTAssertEqual((error as? IsolationGarbage)?.description, "a string that is not UTF-8 text")
        }
    }

    func testFrameLengthsOutOfBoundsAreGarbage() {
        for length: UInt32 in [0, UInt32(IsolationWire.maximumFrameLength) + 1, 0xffff_ffff] {
            var reader = WireFrameReader()
            let header = (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * UInt32($0))) }
            header.withUnsafeBytes { reader.append($0) }
            XCTAssertThrowsError(try reader.next(), "length \(length)")
        }
        var partial = WireFrameReader()
        ([5, 0, 0, 0, 1] as [UInt8]).withUnsafeBytes { partial.append($0) }
        XCTAssertNil(try partial.next(), "a frame not yet whole waits for more bytes")
    }

    /// A hook mask names exactly the hooks set, and wire codes follow `trainer_hooks_t`.
    func testHookMasksAndCodes() {
        XCTAssertEqual(PluginHook.hooks(in: PluginHook.mask([.trainBegin, .predictBatchEnd])), [.trainBegin, .predictBatchEnd])
        XCTAssertEqual(PluginHook.allCases.map(\.wireCode), Array(0..<14))
        XCTAssertEqual(PluginHook.allCases.map { PluginHook(wireCode: $0.wireCode) }, PluginHook.allCases)
    }
}
