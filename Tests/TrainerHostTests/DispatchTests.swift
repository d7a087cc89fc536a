import Foundation
import Logging
import XCTest
@testable import TrainerHost

final class DispatchTests: FixtureTestCase {
    var pluginsDirectory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        pluginsDirectory = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsDirectory, withIntermediateDirectories: true)
        try Fixtures.build("recorder", into: pluginsDirectory, as: "libRecorder.so")
    }

    func recorded(_ name: String = "recorder.log") throws -> [String] {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    func fit(_ settings: [PluginSettings], epochs: Int = 2, extraDirectories: [URL] = []) throws {
        let session = try SmallSession(runDirectory: directory.path, epochs: epochs)
        let registry = registry([pluginsDirectory] + extraDirectories)
        let instances = try registry.instantiate(settings, session: session)
        try session.fit(PluginDispatcher(instances: instances))
    }

    /// Keras 3's order for fit(epochs=2) on 2 batches with validation of 1 batch.
    func testHooksArriveInKerasOrder() throws {
        try fit([PluginSettings(id: "Recorder")])
        var expected = ["on_train_begin"]
        for epoch in 0..<2 {
            expected += ["on_epoch_begin \(epoch)",
                         "on_train_batch_begin 0", "on_train_batch_end 0",
                         "on_train_batch_begin 1", "on_train_batch_end 1",
                         "on_test_begin", "on_test_batch_begin 0", "on_test_batch_end 0", "on_test_end",
                         "on_epoch_end \(epoch)"]
        }
        expected.append("on_train_end")
        XCTAssertEqual(try recorded(), expected)
    }

    func testLogsCarryKerasNames() throws {
        try fit([PluginSettings(id: "Recorder", values: [("with_logs", .bool(true))])], epochs: 1)
        let lines = try recorded()
        func names(_ prefix: String) -> [String] {
            let line = lines.first { $0.hasPrefix(prefix) } ?? ""
            return line.split(separator: " ").dropFirst(prefix.split(separator: " ").count)
                .map { String($0.split(separator: "=")[0]) }
        }
        XCTAssertEqual(names("on_train_begin"), [])
        XCTAssertEqual(names("on_train_batch_begin 0"), [])
        XCTAssertEqual(names("on_train_batch_end 0"), ["loss", "accuracy"])
        XCTAssertEqual(names("on_test_end"), ["loss", "accuracy"])
        XCTAssertEqual(names("on_epoch_end 0"), ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("on_epoch_end 0") && $0.hasSuffix("learning_rate=0.1000000015") }, "\(lines)")
    }

    func testPluginsRunInConfiguredOrderAndStopEndsTheEpoch() throws {
        // StopAtAccuracy (from this package) with threshold 0 stops at the first epoch's end;
        // the recorder after it still sees that epoch end, then the train end.
        try fit([PluginSettings(id: "StopAtAccuracy", values: [("threshold", .double(0)), ("verbose", .int(0))]),
                 PluginSettings(id: "Recorder")],
                epochs: 3, extraDirectories: [Fixtures.productsDirectory])
        let lines = try recorded()
        XCTAssertEqual(lines.filter { $0.hasPrefix("on_epoch_end") }, ["on_epoch_end 0"])
        XCTAssertEqual(lines.last, "on_train_end")
    }

    func testAFailingHookEndsTheRunNamingThePluginAndHook() throws {
        XCTAssertThrowsError(try fit([PluginSettings(id: "Recorder", values: [("fail_at", .string("on_epoch_end"))])])) { error in
            XCTAssertEqual("\(error)", "plugin Recorder failed in on_epoch_end")
        }
        XCTAssertEqual(try recorded().last, "on_epoch_end 0")
    }

    func testSettingsAreCheckedBeforeAnyInstanceIsCreated() throws {
        let registry = registry([pluginsDirectory])
        XCTAssertThrowsError(try registry.instantiate([
            PluginSettings(id: "Recorder"), PluginSettings(id: "Recorder", values: [("with_logs", .string("yes"))]),
        ], session: nil)) { error in
            XCTAssertEqual("\(error)", "plugin Recorder, parameter with_logs: with_logs must be a bool, not \"yes\"")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("recorder.log").path))
        XCTAssertThrowsError(try registry.instantiate([PluginSettings(id: "Nope")], session: nil)) { error in
            XCTAssertTrue("\(error)".contains("unknown plugin \"Nope\" (found: Recorder)"), "\(error)")
        }
    }

    func testAnInstanceTakesOnlyTheHooksItAskedFor() throws {
        try Fixtures.build("instance_hooks", into: pluginsDirectory, as: "libInstanceHooks.so")
        let registry = registry([pluginsDirectory])
        XCTAssertEqual(registry.plugin(id: "InstanceHooks")?.descriptor.hooks, PluginHook.allCases, "the full set is listed")
        try fit([PluginSettings(id: "InstanceHooks", values: [("epoch_end_only", .bool(true))])])
        XCTAssertEqual(try recorded("instance_hooks.log"), ["on_epoch_end", "on_epoch_end"])
    }

    func testAPluginBuiltAgainstABI10LoadsWithoutTheNewerFields() throws {
        // Built as a 1.0 plugin: its descriptor ends before instance_hooks.
        let source = directory.appendingPathComponent("old.c")
        try """
            #include "trainer_plugin.h"
            #include <stddef.h>
            static trainer_status_t create(const trainer_host_t *h, const trainer_param_values_t *v, void **o, char *e, size_t n) {
                (void)h; (void)v; (void)e; (void)n; *o = NULL; return TRAINER_STATUS_OK;
            }
            static void destroy(void *i) { (void)i; }
            static const trainer_hooks_t hooks = {.struct_size = sizeof(trainer_hooks_t)};
            static const trainer_plugin_descriptor_t d = {
                .struct_size = offsetof(trainer_plugin_descriptor_t, instance_hooks),
                .abi = {1, 0}, .id = "OldPlugin", .create = create, .destroy = destroy, .hooks = &hooks,
            };
            TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &d; }
            """.write(to: source, atomically: true, encoding: .utf8)
        try Fixtures.build(source.path, into: pluginsDirectory, as: "libOldPlugin.so")
        let registry = registry([pluginsDirectory])
        XCTAssertEqual(registry.plugin(id: "OldPlugin")?.descriptor.abiText, "1.0", "\(registry.invalid)")
        XCTAssertNoThrow(try fit([PluginSettings(id: "OldPlugin")]))
    }

    /// The guard names a hook by the same C name the header and the listing use.
    func testTheGuardNamesEveryHookByItsCName() {
        for hook in PluginHook.allCases {
            XCTAssertEqual(String(cString: hook.guardName), hook.rawValue)
        }
    }
}
