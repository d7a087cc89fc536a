import CTrainerPlugin
import TrainerABI
import SwiftToolchain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the plugin's C descriptor (once per process) and returns it for the entry function:
///
/// ```swift
/// @_cdecl("trainer_plugin_entry")   // Swift 6.3 also accepts @c(trainer_plugin_entry)
/// public func trainerPluginEntry() -> UnsafeRawPointer { export(MyPlugin.self) }
/// ```
///
/// The descriptor, its strings, parameter specs and hook table are allocated once and never
/// freed, as the ABI requires. The hook table holds a function for each hook protocol
/// (`OnEpochEnd`, ...) the type adopts and NULL for every other; `save_state`/`load_state`
/// are set when it adopts `StatefulCallback`. `toolchain` records the Swift compiler.
///
/// One plugin type per shared object: a later call with another type logs a warning to stderr
/// and returns the first type's descriptor. The state this keeps is per shared object: two
/// plugins that each embed the SDK and are loaded with RTLD_LOCAL do not share it.
public func export<Plugin: TrainerCallback>(_ plugin: Plugin.Type) -> UnsafeRawPointer {
    pthread_mutex_lock(registrationLock)
    defer { pthread_mutex_unlock(registrationLock) }
    if let existing = registration {
        if existing.type != Plugin.self {
            fputs("TrainerPluginSDK: \(Plugin.self) is exported after \(existing.type); "
                  + "one plugin type per shared object, keeping \(existing.type)\n", stderr)
        }
        return UnsafeRawPointer(existing.descriptor)
    }
    let descriptor = makeDescriptor(Plugin.self)
    registration = Registration(type: Plugin.self, schema: Plugin.parameters,
                                descriptor: descriptor)
    return UnsafeRawPointer(descriptor)
}


// MARK: - Per-image state, exposed for tests

/// Instances created and not yet destroyed by this shared object's copy of the SDK.
///
/// Exported as the C symbol `trainer_swift_sdk_live_instances` (`int64_t (void)`), so a test
/// can dlopen two Swift plugins and check that each keeps its own count. Not part of the ABI;
/// hosts must not rely on it.
@_cdecl("trainer_swift_sdk_live_instances")
public func _trainerSwiftSDKLiveInstances() -> Int64 {
    Int64(liveInstances)
}

/// The id of the plugin this shared object's copy of the SDK exported, or NULL before the
/// entry function ran. Exported as `trainer_swift_sdk_plugin_id` (`const char *(void)`), for
/// the same tests. Not part of the ABI.
@_cdecl("trainer_swift_sdk_plugin_id")
public func _trainerSwiftSDKPluginID() -> UnsafePointer<CChar>? {
    pthread_mutex_lock(registrationLock)
    defer { pthread_mutex_unlock(registrationLock) }
    return registration?.descriptor.pointee.id
}

// MARK: - Registration

private struct Registration {
    let type: any TrainerCallback.Type
    let schema: [ParameterSpec]
    let descriptor: UnsafeMutablePointer<trainer_plugin_descriptor_t>
}

/// This image's plugin. `create` has no context argument, so it finds the type here.
nonisolated(unsafe) private var registration: Registration?
/// Changed only on the host's plugin thread (create and destroy), as the ABI guarantees.
nonisolated(unsafe) private var liveInstances = 0

private let registrationLock: UnsafeMutablePointer<pthread_mutex_t> = {
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    return lock
}()

private func currentRegistration() -> Registration? {
    pthread_mutex_lock(registrationLock)
    defer { pthread_mutex_unlock(registrationLock) }
    return registration
}

// MARK: - The descriptor

/// A C string that lives until the process exits.
private func staticCString(_ string: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(string)!)
}

private func makeDescriptor<Plugin: TrainerCallback>(
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

private func cSpec(_ spec: ParameterSpec) -> trainer_param_spec_t {
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
    if let choices = spec.choices {
        c.choices = staticCString(choices.joined(separator: "|"))
    }
    return c
}

private func cValue(_ value: ParameterValue) -> trainer_value_t {
    value.raw(cString: staticCString)
}

// MARK: - Instances

/// What `create` hands the host as the instance pointer: the plugin object, its host view,
/// and the plugin seen through each hook protocol it adopts (cast once, here, so a hook call
/// is a direct witness-table call with no dynamic cast).
private final class Instance {
    let plugin: any TrainerCallback
    let host: Host
    let trainBegin: (any OnTrainBegin)?
    let trainEnd: (any OnTrainEnd)?
    let epochBegin: (any OnEpochBegin)?
    let epochEnd: (any OnEpochEnd)?
    let trainBatchBegin: (any OnTrainBatchBegin)?
    let trainBatchEnd: (any OnTrainBatchEnd)?
    let testBegin: (any OnTestBegin)?
    let testEnd: (any OnTestEnd)?
    let testBatchBegin: (any OnTestBatchBegin)?
    let testBatchEnd: (any OnTestBatchEnd)?
    let predictBegin: (any OnPredictBegin)?
    let predictEnd: (any OnPredictEnd)?
    let predictBatchBegin: (any OnPredictBatchBegin)?
    let predictBatchEnd: (any OnPredictBatchEnd)?
    let stateful: (any StatefulCallback)?

    init(plugin: any TrainerCallback, host: Host) {
        self.plugin = plugin
        self.host = host
        trainBegin = plugin as? any OnTrainBegin
        trainEnd = plugin as? any OnTrainEnd
        epochBegin = plugin as? any OnEpochBegin
        epochEnd = plugin as? any OnEpochEnd
        trainBatchBegin = plugin as? any OnTrainBatchBegin
        trainBatchEnd = plugin as? any OnTrainBatchEnd
        testBegin = plugin as? any OnTestBegin
        testEnd = plugin as? any OnTestEnd
        testBatchBegin = plugin as? any OnTestBatchBegin
        testBatchEnd = plugin as? any OnTestBatchEnd
        predictBegin = plugin as? any OnPredictBegin
        predictEnd = plugin as? any OnPredictEnd
        predictBatchBegin = plugin as? any OnPredictBatchBegin
        predictBatchEnd = plugin as? any OnPredictBatchEnd
        stateful = plugin as? any StatefulCallback
    }
}

/// Runs `body` on the instance behind `pointer`; a thrown error is logged through the host
/// and becomes TRAINER_STATUS_ERROR, so no Swift error crosses the C boundary.
@inline(__always)
private func withInstance(
    _ pointer: UnsafeMutableRawPointer?, _ hook: PluginHook, _ body: (Instance) throws -> Void
) -> trainer_status_t {
    withInstance(pointer, hook.rawValue, body)
}

@inline(__always)
private func withInstance(
    _ pointer: UnsafeMutableRawPointer?, _ what: @autoclosure () -> String, _ body: (Instance) throws -> Void
) -> trainer_status_t {
    guard let pointer else { return trainer_status_t(TRAINER_STATUS_ERROR) }
    // The host keeps the instance alive between create and destroy, so the call borrows it
    // without retaining (retain/release pairs were most of the cost of a batch hook).
    return Unmanaged<Instance>.fromOpaque(pointer)._withUnsafeGuaranteedRef { instance in
        do {
            try body(instance)
            return trainer_status_t(TRAINER_STATUS_OK)
        } catch {
            instance.host.log(.error, "\(what()) failed: \(error)")
            return trainer_status_t(TRAINER_STATUS_ERROR)
        }
    }
}

/// The run's values, in schema order, with defaults for any the host left out.
private func readParameters(_ values: UnsafePointer<trainer_param_values_t>?,
                            schema: [ParameterSpec]) -> Parameters {
    var given: [String: trainer_value_t] = [:]
    if let values, values.pointee.struct_size >= MemoryLayout<trainer_param_values_t>.size,
       let names = values.pointee.names, let items = values.pointee.values {
        for i in 0..<Int(values.pointee.count) {
            if let name = names[i] { given[String(cString: name)] = items[i] }
        }
    }
    return Parameters(schema.map { spec in
        (spec.name, given[spec.name].map { swiftValue($0, as: spec.kind) } ?? spec.defaultValue)
    })
}

private func swiftValue(_ value: trainer_value_t, as kind: ParameterSpec.Kind) -> ParameterValue {
    // The host converts an int given for a double; an older host may not have.
    switch ParameterValue(value) {
    case .int(let i)? where kind == .double: return .double(Double(i))
    case let read?: return read
    case nil: return .none
    }
}

private let createInstance: @convention(c) (
    UnsafePointer<trainer_host_t>?, UnsafePointer<trainer_param_values_t>?,
    UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int
) -> trainer_status_t = { hostTable, values, instanceOut, errorBuffer, errorSize in
    guard let registration = currentRegistration() else {
        ErrorBuffer.write("the plugin's entry function was not called", to: errorBuffer, size: errorSize)
        return trainer_status_t(TRAINER_STATUS_ERROR)
    }
    guard let hostTable, let instanceOut else {
        ErrorBuffer.write("create needs a host table and an instance pointer", to: errorBuffer, size: errorSize)
        return trainer_status_t(TRAINER_STATUS_ERROR)
    }
    do {
        let host = Host(hostTable)
        let parameters = readParameters(values, schema: registration.schema)
        let plugin = try registration.type.init(parameters: parameters, host: host)
        let instance = Instance(plugin: plugin, host: host)
        instanceOut.pointee = Unmanaged.passRetained(instance).toOpaque()
        liveInstances += 1
        return trainer_status_t(TRAINER_STATUS_OK)
    } catch {
        ErrorBuffer.write("\(error)", to: errorBuffer, size: errorSize)
        return trainer_status_t(TRAINER_STATUS_ERROR)
    }
}

private let destroyInstance: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
    guard let pointer else { return }
    Unmanaged<Instance>.fromOpaque(pointer).release()
    liveInstances -= 1
}

private let saveInstanceState: @convention(c) (
    UnsafeMutableRawPointer?, UnsafePointer<trainer_byte_sink_t>?
) -> trainer_status_t = { pointer, sink in
    withInstance(pointer, "save_state") { instance in
        guard let stateful = instance.stateful else { return }
        guard let sink, sink.pointee.struct_size >= MemoryLayout<trainer_byte_sink_t>.size,
              let write = sink.pointee.write
        else { throw HostError("save_state got no usable byte sink") }
        let bytes = try stateful.saveState()
        let status = bytes.withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
        if status != TRAINER_STATUS_OK { throw HostError("the host could not store the state") }
    }
}

private let loadInstanceState: @convention(c) (
    UnsafeMutableRawPointer?, UnsafeRawPointer?, Int
) -> trainer_status_t = { pointer, bytes, size in
    withInstance(pointer, "load_state") { instance in
        guard let stateful = instance.stateful else { return }
        let copy = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        try stateful.loadState(copy)
    }
}

// MARK: - Hooks

private func makeHooks<Plugin: TrainerCallback>(
    _ plugin: Plugin.Type
) -> UnsafeMutablePointer<trainer_hooks_t> {
    let hooks = UnsafeMutablePointer<trainer_hooks_t>.allocate(capacity: 1)
    hooks.initialize(to: trampolines.keeping(PluginHook.allCases.filter { plugin.adopts($0) }))
    return hooks
}

extension TrainerCallback {
    /// Whether the plugin adopts the protocol of `hook` (`OnEpochEnd` for on_epoch_end, ...).
    static func adopts(_ hook: PluginHook) -> Bool {
        switch hook {
        case .trainBegin: return self is any OnTrainBegin.Type
        case .trainEnd: return self is any OnTrainEnd.Type
        case .epochBegin: return self is any OnEpochBegin.Type
        case .epochEnd: return self is any OnEpochEnd.Type
        case .trainBatchBegin: return self is any OnTrainBatchBegin.Type
        case .trainBatchEnd: return self is any OnTrainBatchEnd.Type
        case .testBegin: return self is any OnTestBegin.Type
        case .testEnd: return self is any OnTestEnd.Type
        case .testBatchBegin: return self is any OnTestBatchBegin.Type
        case .testBatchEnd: return self is any OnTestBatchEnd.Type
        case .predictBegin: return self is any OnPredictBegin.Type
        case .predictEnd: return self is any OnPredictEnd.Type
        case .predictBatchBegin: return self is any OnPredictBatchBegin.Type
        case .predictBatchEnd: return self is any OnPredictBatchEnd.Type
        }
    }
}

/// One C function per field of `trainer_hooks_t`, each calling the instance's hook; a plugin's
/// table keeps those of the protocols it adopts (the others are NULL and cost nothing).
private let trampolines = trainer_hooks_t(
    struct_size: UInt32(MemoryLayout<trainer_hooks_t>.size),
    on_train_begin: { p, logs in
        withInstance(p, .trainBegin) { try $0.trainBegin?.onTrainBegin(logs: Logs(borrowing: logs)) }
    },
    on_train_end: { p, logs in
        withInstance(p, .trainEnd) { try $0.trainEnd?.onTrainEnd(logs: Logs(borrowing: logs)) }
    },
    on_epoch_begin: { p, epoch, logs in
        withInstance(p, .epochBegin) { try $0.epochBegin?.onEpochBegin(epoch: Int(epoch), logs: Logs(borrowing: logs)) }
    },
    on_epoch_end: { p, epoch, logs in
        withInstance(p, .epochEnd) { try $0.epochEnd?.onEpochEnd(epoch: Int(epoch), logs: Logs(borrowing: logs)) }
    },
    on_train_batch_begin: { p, batch, logs in
        withInstance(p, .trainBatchBegin) {
            try $0.trainBatchBegin?.onTrainBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    },
    on_train_batch_end: { p, batch, logs in
        withInstance(p, .trainBatchEnd) { try $0.trainBatchEnd?.onTrainBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_test_begin: { p, logs in
        withInstance(p, .testBegin) { try $0.testBegin?.onTestBegin(logs: Logs(borrowing: logs)) }
    },
    on_test_end: { p, logs in
        withInstance(p, .testEnd) { try $0.testEnd?.onTestEnd(logs: Logs(borrowing: logs)) }
    },
    on_test_batch_begin: { p, batch, logs in
        withInstance(p, .testBatchBegin) { try $0.testBatchBegin?.onTestBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_test_batch_end: { p, batch, logs in
        withInstance(p, .testBatchEnd) { try $0.testBatchEnd?.onTestBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_predict_begin: { p, logs in
        withInstance(p, .predictBegin) { try $0.predictBegin?.onPredictBegin(logs: Logs(borrowing: logs)) }
    },
    on_predict_end: { p, logs in
        withInstance(p, .predictEnd) { try $0.predictEnd?.onPredictEnd(logs: Logs(borrowing: logs)) }
    },
    on_predict_batch_begin: { p, batch, logs in
        withInstance(p, .predictBatchBegin) {
            try $0.predictBatchBegin?.onPredictBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    },
    on_predict_batch_end: { p, batch, logs in
        withInstance(p, .predictBatchEnd) {
            try $0.predictBatchEnd?.onPredictBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    })
