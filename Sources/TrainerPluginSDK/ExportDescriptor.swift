// The C descriptor `export` builds from a plugin type: id, version, schema, functions.

import CTrainerPlugin
import TrainerABI
import SwiftToolchain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A C string that lives until the process exits.
func staticCString(_ string: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(string)!)
}

func makeDescriptor<Plugin: TrainerCallback>(
    _ plugin: Plugin.Type
) -> UnsafeMutablePointer<trainer_plugin_descriptor_t> {
    var d = trainer_plugin_descriptor_t()
    d.struct_size = UInt32(MemoryLayout<trainer_plugin_descriptor_t>.size)
    d.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
    d.id = staticCString(Plugin.id)
    d.name = staticCString(Plugin.name)
    d.version = staticCString(Plugin.version)
    d.summary = staticCString(Plugin.summary)
    d.toolchain = staticCString(swiftToolchain)

    let schema = Plugin.parameters
    d.param_count = UInt32(schema.count)
    if !schema.isEmpty {
        let specs = UnsafeMutablePointer<trainer_param_spec_t>.allocate(capacity: schema.count)
        let pointers = UnsafeMutablePointer<UnsafePointer<trainer_param_spec_t>?>
            .allocate(capacity: schema.count)
        for (i, spec) in schema.enumerated() {
            (specs + i).initialize(to: cSpec(spec))
            (pointers + i).initialize(to: UnsafePointer(specs + i))
        }
        d.params = UnsafePointer(pointers)
    }

    d.create = createInstance
    d.destroy = destroyInstance
    d.hooks = UnsafePointer(makeHooks(Plugin.self))
    if Plugin.self is any StatefulCallback.Type {
        d.save_state = saveInstanceState
        d.load_state = loadInstanceState
    }

    let descriptor = UnsafeMutablePointer<trainer_plugin_descriptor_t>.allocate(capacity: 1)
    descriptor.initialize(to: d)
    return descriptor
}

func cSpec(_ spec: ParameterSpec) -> trainer_param_spec_t {
    var c = trainer_param_spec_t()
    c.struct_size = UInt32(MemoryLayout<trainer_param_spec_t>.size)
    switch spec.kind {
    case .bool: c.type = trainer_value_type_t(TRAINER_VALUE_BOOL)
    case .int: c.type = trainer_value_type_t(TRAINER_VALUE_INT)
    case .double: c.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE)
    case .string: c.type = trainer_value_type_t(TRAINER_VALUE_STRING)
    }
    c.name = staticCString(spec.name)
    c.help = staticCString(spec.help)
    c.default_value = cValue(spec.defaultValue)
    if spec.nullable { c.flags |= UInt32(TRAINER_PARAM_NULLABLE) }
    if spec.required { c.flags |= UInt32(TRAINER_PARAM_REQUIRED) }
    if let min = spec.min {
        c.flags |= UInt32(TRAINER_PARAM_HAS_MIN)
        c.min = min
    }
    if let max = spec.max {
        c.flags |= UInt32(TRAINER_PARAM_HAS_MAX)
        c.max = max
    }
    if !spec.choices.isEmpty, case let choices = spec.choices {
        c.choices = staticCString(choices.joined(separator: "|"))
    }
    return c
}

func cValue(_ value: ParameterValue) -> trainer_value_t {
    value.raw(cString: staticCString)
}
