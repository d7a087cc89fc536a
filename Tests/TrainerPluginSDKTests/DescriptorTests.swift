import CTrainerPlugin
import PluginTestSupport
import XCTest

/// The built plugin products describe themselves correctly through the C ABI.
final class DescriptorTests: XCTestCase {
    private func checkCommon(_ plugin: LoadedPlugin, id: String, toolchainPrefix: String?) {
        let d = plugin.descriptor.pointee
        XCTAssertEqual(Int(d.struct_size), MemoryLayout<trainer_plugin_descriptor_t>.size)
        XCTAssertEqual(d.abi.major, UInt32(TRAINER_ABI_MAJOR))
        XCTAssertEqual(d.abi.minor, UInt32(TRAINER_ABI_MINOR))
        XCTAssertEqual(plugin.id, id)
        XCTAssertFalse(string(d.name).isEmpty)
        XCTAssertFalse(string(d.version).isEmpty)
        XCTAssertFalse(string(d.summary).isEmpty)
        XCTAssertNotNil(d.create)
        XCTAssertNotNil(d.destroy)
        XCTAssertNotNil(d.hooks)
        XCTAssertEqual(Int(plugin.hooks.struct_size), MemoryLayout<trainer_hooks_t>.size)
        if let toolchainPrefix {
            XCTAssertTrue(string(d.toolchain).hasPrefix(toolchainPrefix), string(d.toolchain))
        } else {
            XCTAssertEqual(string(d.toolchain), "")
        }
        for spec in plugin.specs {
            XCTAssertEqual(Int(spec.struct_size), MemoryLayout<trainer_param_spec_t>.size)
            XCTAssertFalse(string(spec.name).isEmpty)
            XCTAssertFalse(string(spec.help).isEmpty)
            if spec.flags & UInt32(TRAINER_PARAM_NULLABLE) == 0 {
                XCTAssertEqual(spec.default_value.type, spec.type, "default of \(string(spec.name))")
            }
        }
        // The entry function returns the same descriptor every time.
        XCTAssertEqual(try LoadedPlugin(plugin.path).descriptor, plugin.descriptor)
    }

    func testHistoryDescriptor() throws {
        let history = try LoadedPlugin(product: "History")
        checkCommon(history, id: "History", toolchainPrefix: "swift-")
        XCTAssertEqual(history.providedHooks, ["on_epoch_end", "on_train_end"])
        XCTAssertNil(history.hooks.on_train_batch_begin)
        XCTAssertNil(history.hooks.on_train_batch_end)
        XCTAssertNotNil(history.descriptor.pointee.save_state)
        XCTAssertNotNil(history.descriptor.pointee.load_state)

        let specs = history.specs
        XCTAssertEqual(specs.map { string($0.name) }, ["filename"])
        XCTAssertEqual(specs[0].type, trainer_value_type_t(TRAINER_VALUE_STRING))
        XCTAssertEqual(string(specs[0].default_value.string_value), "history.json")
        XCTAssertEqual(specs[0].flags, 0)
        XCTAssertNil(specs[0].choices)
    }

    func testProgbarLoggerDescriptor() throws {
        let progbar = try LoadedPlugin(product: "ProgbarLogger")
        checkCommon(progbar, id: "ProgbarLogger", toolchainPrefix: "swift-")
        XCTAssertEqual(progbar.providedHooks, [
            "on_train_begin", "on_epoch_begin", "on_train_batch_end", "on_epoch_end",
            "on_test_begin", "on_test_batch_end", "on_test_end",
            "on_predict_begin", "on_predict_batch_end", "on_predict_end",
        ])
        XCTAssertNil(progbar.descriptor.pointee.save_state)
        XCTAssertNil(progbar.descriptor.pointee.load_state)

        let specs = progbar.specs
        XCTAssertEqual(specs.map { string($0.name) }, ["count_mode", "verbose"])
        XCTAssertEqual(specs[0].type, trainer_value_type_t(TRAINER_VALUE_STRING))
        XCTAssertEqual(string(specs[0].default_value.string_value), "steps")
        XCTAssertEqual(string(specs[0].choices), "steps|samples")
        XCTAssertEqual(specs[1].type, trainer_value_type_t(TRAINER_VALUE_INT))
        XCTAssertEqual(specs[1].default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
        XCTAssertEqual(specs[1].flags, UInt32(TRAINER_PARAM_NULLABLE | TRAINER_PARAM_HAS_MIN | TRAINER_PARAM_HAS_MAX))
        XCTAssertEqual(specs[1].min, 0)
        XCTAssertEqual(specs[1].max, 2)
    }

    func testStopAtAccuracyDescriptor() throws {
        let stop = try LoadedPlugin(product: "StopAtAccuracy")
        checkCommon(stop, id: "StopAtAccuracy", toolchainPrefix: nil)
        XCTAssertEqual(stop.providedHooks, ["on_epoch_end"])
        XCTAssertNil(stop.descriptor.pointee.save_state)

        let specs = stop.specs
        XCTAssertEqual(specs.map { string($0.name) }, ["monitor", "threshold", "mode", "verbose"])
        XCTAssertEqual(string(specs[0].default_value.string_value), "accuracy")
        XCTAssertEqual(specs[1].default_value.double_value, 0.9)
        XCTAssertEqual(string(specs[2].choices), "max|min")
        XCTAssertEqual(specs[3].default_value.int_value, 1)
    }
}
