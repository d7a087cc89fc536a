// Instances of the plugin type behind `create`, `destroy`, `save_state` and `load_state`; no
// Swift error crosses the boundary.

import CTrainerPlugin
import TrainerABI
import SwiftToolchain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `create` hands the host as the instance pointer: the plugin object, its host view,
/// and the plugin seen through each hook protocol it adopts (cast once, here, so a hook call
/// is a direct witness-table call with no dynamic cast).
final class Instance {
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
func withInstance(
    _ pointer: UnsafeMutableRawPointer?, _ hook: PluginHook, _ body: (Instance) throws -> Void
) -> trainer_status_t {
    withInstance(pointer, hook.rawValue, body)
}

@inline(__always)
func withInstance(
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
func readParameters(_ values: UnsafePointer<trainer_param_values_t>?,
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

func swiftValue(_ value: trainer_value_t, as kind: ParameterSpec.Kind) -> ParameterValue {
    // The host converts an int given for a double; an older host may not have.
    switch ParameterValue(value) {
    case .int(let i)? where kind == .double: return .double(Double(i))
    case let read?: return read
    case nil: return .none
    }
}

let createInstance: @convention(c) (
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

let destroyInstance: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
    guard let pointer else { return }
    Unmanaged<Instance>.fromOpaque(pointer).release()
    liveInstances -= 1
}

let saveInstanceState: @convention(c) (
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

let loadInstanceState: @convention(c) (
    UnsafeMutableRawPointer?, UnsafeRawPointer?, Int
) -> trainer_status_t = { pointer, bytes, size in
    withInstance(pointer, "load_state") { instance in
        guard let stateful = instance.stateful else { return }
        let copy = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        try stateful.loadState(copy)
    }
}
