import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// The SDK seen through a Swift plugin that uses all of it (Tests/Fixtures/SwiftProbe.swift),
/// compiled here with swiftc against the SDK built as its own module, as an author's package
/// would build it.
final class SwiftProbeTests: XCTestCase {
    private static var built: Result<String, Error>?

    /// Builds libSwiftProbe.so once per test run.
    private func probe() throws -> LoadedPlugin {
        if Self.built == nil {
            Self.built = Result { try Self.build() }
        }
        return try LoadedPlugin(Self.built!.get())
    }

    private static func build() throws -> String {
        let dir = try TemporaryDirectory.create()
        try """
            module CTrainerPlugin {
                header "\(Repository.abiHeaderDirectory)/trainer_plugin.h"
                export *
            }
            """.write(toFile: dir + "/module.modulemap", atomically: true, encoding: .utf8)
        // The SDK and the modules it depends on (SwiftToolchain, TrainerABI), each a static library.
        for module in ["SwiftToolchain", "TrainerABI", "TrainerPluginSDK"] {
            let directory = Repository.root + "/Sources/" + module
            let sources = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".swift") }.sorted().map { directory + "/" + $0 }
            try ChildProcess.runSuccessfully(["swiftc", "-parse-as-library", "-wmo", "-emit-library", "-static",
                     "-module-name", module, "-emit-module",
                     "-emit-module-path", dir + "/\(module).swiftmodule", "-I", dir]
                    + sources + ["-o", dir + "/lib\(module).a"])
        }
        try ChildProcess.runSuccessfully(["swiftc", "-parse-as-library", "-emit-library", "-module-name", "SwiftProbe",
                 "-I", dir, "-L", dir, "-lTrainerPluginSDK", "-lTrainerABI", "-lSwiftToolchain",
                 Repository.root + "/Tests/Fixtures/SwiftProbe.swift", "-o", dir + "/libSwiftProbe.so"])
        return dir + "/libSwiftProbe.so"
    }

    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `host` with what the probe's on_train_begin uses: one weight, dense/kernel [2, 3] holding
    /// 0...5; snapshot ids from 7; an evaluation (loss 0.25, accuracy 0.5); a weights save that
    /// fails with "disk full". (Give it an exact learning rate: the probe prints the rate.)
    private func probeHost(_ host: FakeHost) -> FakeHost {
        host.weights = [FakeWeight(name: "dense/kernel", shape: [2, 3], values: [0, 1, 2, 3, 4, 5])]
        host.nextSnapshotID = 7
        host.evaluation = [("loss", 0.25), ("accuracy", 0.5)]
        host.saveWeightsFailure = "disk full"
        return host
    }

    private func lines() throws -> [String] {
        try String(contentsOfFile: dir + "/probe.log", encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    func testDescriptorHasEveryHookAndTheSchema() throws {
        let probe = try probe()
        let d = probe.descriptor.pointee
        XCTAssertEqual(probe.id, "SwiftProbe")
        XCTAssertEqual(string(d.name), "Swift probe")
        XCTAssertEqual(string(d.version), "0.1.0")
        #if compiler(>=6.3) && !compiler(>=6.4)
        XCTAssertEqual(string(d.toolchain), "swift-6.3")
        #endif
        XCTAssertEqual(probe.providedHooks.count, 14)
        XCTAssertNotNil(d.save_state)
        XCTAssertNotNil(d.load_state)

        let specs = probe.specs
        XCTAssertEqual(specs.map { string($0.name) }, ["path", "fail_at", "fail_in_init", "count", "ratio", "choice"])
        let kinds = [TRAINER_VALUE_STRING, TRAINER_VALUE_STRING, TRAINER_VALUE_BOOL, TRAINER_VALUE_INT,
                     TRAINER_VALUE_DOUBLE, TRAINER_VALUE_STRING].map { trainer_value_type_t($0) }
        XCTAssertEqual(specs.map(\.type), kinds)
        XCTAssertEqual(specs.map(\.flags), [
            0, UInt32(TRAINER_PARAM_NULLABLE), 0, UInt32(TRAINER_PARAM_HAS_MIN | TRAINER_PARAM_HAS_MAX),
            UInt32(TRAINER_PARAM_NULLABLE | TRAINER_PARAM_HAS_MIN | TRAINER_PARAM_HAS_MAX), 0,
        ])
        XCTAssertEqual(specs[1].default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
        XCTAssertEqual(specs[2].default_value.int_value, 0)
        XCTAssertEqual(specs[3].default_value.int_value, 3)
        XCTAssertEqual(specs[3].max, 10)
        XCTAssertEqual(specs[4].default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
        XCTAssertEqual(specs[4].max, 1)
        XCTAssertEqual(string(specs[5].choices), "a|b")
        XCTAssertEqual(specs.map { $0.reserved }, Array(repeating: 0, count: 6))
    }

    func testEveryHookReachesItsMethodWithItsIndexAndLogs() throws {
        let probe = try probe()
        let host = probeHost(FakeHost(runDirectory: dir, learningRatePrecision: .double))
        let instance = try probe.create(host: host, ["count": .int(5), "ratio": .int(1)]).get()
        defer { probe.destroy(instance) }
        let logs = [("loss", 0.5), ("accuracy", 0.75)]
        var index = 10
        for (_, hook) in plainHooks { XCTAssertEqual(probe.call(hook, instance, logs), statusOK) }
        for (_, hook) in indexedHooks {
            XCTAssertEqual(probe.call(hook, instance, index, logs), statusOK)
            index += 1
        }
        XCTAssertEqual(probe.call(\.on_epoch_end, instance, 0), statusOK)

        var expected = ["init count=5 ratio=1.0 choice=a names=path,fail_at,fail_in_init,count,ratio,choice"]
        expected += plainHooks.map { "\($0.0) [loss=0.5,accuracy=0.75]" }
        expected += indexedHooks.enumerated().map { "\($1.0) \(10 + $0) [loss=0.5,accuracy=0.75]" }
        expected.append("on_epoch_end 0 []")
        XCTAssertEqual(try lines(), expected)
    }

    func testHostServicesThroughTheSDK() throws {
        let probe = try probe()
        let host = probeHost(FakeHost(runDirectory: dir, epochs: 4, steps: 20, batchSize: 16, samples: 320,
                                      verbose: 2, validationSamples: 80, learningRatePrecision: .double))
        let instance = try probe.create(host: host).get()
        defer { probe.destroy(instance) }
        XCTAssertEqual(probe.call(\.on_train_begin, instance, [("loss", 1.25)]), statusOK)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO), [[
            "host=fake-host/0.0.0 abi=\(TRAINER_ABI_MAJOR).\(TRAINER_ABI_MINOR)",
            "run=4,20,16,320,2,0,80",
            "lr=0.01->0.02",
            "negative lr: the host refused learning rate -1.0",
            "snapshot=7",
            "weight dense/kernel [2, 3] [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]",
            "evaluate [loss: 0.25, accuracy: 0.5]",
            "save: disk full",
            "extension=nil",
        ].joined(separator: "; ")])
        XCTAssertEqual(host.messages(at: TRAINER_LOG_DEBUG), ["kept 1 1.25 1"])
        XCTAssertEqual(host.learningRate, 0.02)
    }

    func testErrorsNeverCrossTheBoundary() throws {
        let probe = try probe()
        let host = probeHost(FakeHost(runDirectory: dir, learningRatePrecision: .double))
        switch probe.create(host: host, ["fail_in_init": .bool(true)]) {
        case .success: XCTFail("init did not fail")
        case .failure(let error): XCTAssertEqual(error.description, "probe refused to start (café)")
        }
        // A message longer than the buffer is cut, never inside a character.
        for (size, expected) in [(28, "probe refused to start (caf"), (29, "probe refused to start (caf"),
                                 (30, "probe refused to start (café"), (1, "")] {
            guard case .failure(let error) = probe.create(host: host, ["fail_in_init": .bool(true)], errorSize: size)
            else { return XCTFail("init did not fail") }
            XCTAssertEqual(error.description, expected, "buffer of \(size)")
        }
        XCTAssertTrue(host.messages.isEmpty)

        for (name, hook) in indexedHooks {
            let instance = try probe.create(host: host, ["fail_at": .string(name)]).get()
            XCTAssertEqual(probe.call(hook, instance, 2), statusError, name)
            XCTAssertEqual(host.messages(at: TRAINER_LOG_ERROR).last, "\(name) failed: asked to fail at \(name)")
            probe.destroy(instance)
        }
        for (name, hook) in plainHooks {
            let instance = try probe.create(host: host, ["fail_at": .string(name)]).get()
            XCTAssertEqual(probe.call(hook, instance), statusError, name)
            XCTAssertEqual(host.messages(at: TRAINER_LOG_ERROR).last, "\(name) failed: asked to fail at \(name)")
            probe.destroy(instance)
        }
        XCTAssertEqual(host.messages.count, 14)
    }

    func testSavedStateRoundTripsAndDamagedStateIsAnError() throws {
        let probe = try probe()
        let host = probeHost(FakeHost(runDirectory: dir, learningRatePrecision: .double))
        let a = try probe.create(host: host).get()
        probe.call(\.on_epoch_begin, a, 0)
        probe.call(\.on_epoch_end, a, 0)
        let state = try XCTUnwrap(probe.saveState(a))
        probe.destroy(a)

        let b = try probe.create(host: host).get()
        defer { probe.destroy(b) }
        XCTAssertEqual(probe.loadState(b, state), statusOK)
        XCTAssertEqual(try lines().last, "loaded calls=2")
        for damaged in [[], Array(state.dropLast()), state + [0], Array(repeating: 0xFF, count: 40)] {
            XCTAssertEqual(probe.loadState(b, damaged), statusError)
        }
        XCTAssertEqual(host.messages(at: TRAINER_LOG_ERROR).count, 4)
        XCTAssertTrue(host.messages.allSatisfy { $0.text.hasPrefix("load_state failed: ") }, "\(host.messages)")
    }

    func testThreeSwiftPluginsEachKeepTheirOwnSDK() throws {
        typealias PluginID = @convention(c) () -> UnsafePointer<CChar>?
        let plugins = try [probe(), LoadedPlugin(product: "History"), LoadedPlugin(product: "ProgbarLogger")]
        XCTAssertEqual(plugins.map { string($0.symbol("trainer_swift_sdk_plugin_id", as: PluginID.self)?()) },
                       ["SwiftProbe", "History", "ProgbarLogger"])
    }
}
