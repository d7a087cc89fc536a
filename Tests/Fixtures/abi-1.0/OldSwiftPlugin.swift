// A Swift plugin built against the ABI 1.0 header (Tests/Fixtures/abi-1.0/trainer_plugin.h),
// as one built before 1.1 was released would be. It handles its descriptor through generic
// code (an array, an optional), so the Swift runtime registers that header's layout of the
// descriptor type in the process; a newer host must still read it right and run it.
// At each epoch's end it logs "OldSwift saw epoch N with loss L" (info, through the host's
// log), and after epoch 1, the second, it asks the host to stop training: a run shows that its
// hook ran and that the 1.0 host table works.
//   swiftc -emit-library -parse-as-library -I Tests/Fixtures/abi-1.0 OldSwiftPlugin.swift -o libOldSwift.so
import CTrainerPlugin10
import Glibc

/// The instance is the host table the run gives `create` (valid until destroy): all the hook
/// needs.
private func create(_ host: UnsafePointer<trainer_host_t>?, _ params: UnsafePointer<trainer_param_values_t>?,
                    _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CChar>?,
                    _ size: Int) -> trainer_status_t {
    out?.pointee = UnsafeMutableRawPointer(mutating: host)
    return TRAINER_STATUS_OK
}

/// Logs the epoch and its loss, and stops training after epoch 1.
private func onEpochEnd(_ instance: UnsafeMutableRawPointer?, _ epoch: Int64,
                        _ logs: UnsafePointer<trainer_logs_t>?) -> trainer_status_t {
    guard let instance else { return TRAINER_STATUS_ERROR }
    let host = UnsafePointer(instance.assumingMemoryBound(to: trainer_host_t.self))
    var loss = "none"
    if let logs = logs?.pointee, let items = logs.items {
        for item in UnsafeBufferPointer(start: items, count: Int(logs.count)) where String(cString: item.name) == "loss" {
            loss = "\(item.value)"
        }
    }
    host.pointee.log?(host, TRAINER_LOG_INFO, "OldSwift saw epoch \(epoch) with loss \(loss)")
    if epoch == 1 { host.pointee.stop_training?(host) }
    return TRAINER_STATUS_OK
}

private let descriptors: [trainer_plugin_descriptor_t] = {
    let hooks = UnsafeMutablePointer<trainer_hooks_t>.allocate(capacity: 1)
    hooks.initialize(to: trainer_hooks_t())
    hooks.pointee.struct_size = UInt32(MemoryLayout<trainer_hooks_t>.size)
    hooks.pointee.on_epoch_end = onEpochEnd
    var d = trainer_plugin_descriptor_t()
    d.struct_size = UInt32(MemoryLayout<trainer_plugin_descriptor_t>.size)
    d.abi = trainer_abi_version_t(major: 1, minor: 0)
    d.id = UnsafePointer(strdup("OldSwift"))
    d.name = UnsafePointer(strdup("Old Swift plugin"))
    d.version = UnsafePointer(strdup("1.0.0"))
    d.summary = UnsafePointer(strdup("Built against ABI 1.0; logs each epoch's loss, stops after epoch 1."))
    d.create = create
    d.destroy = { _ in }
    d.hooks = UnsafePointer(hooks)
    let copy: trainer_plugin_descriptor_t? = d
    return [copy!]
}()

private let stable: UnsafeMutablePointer<trainer_plugin_descriptor_t> = {
    let pointer = UnsafeMutablePointer<trainer_plugin_descriptor_t>.allocate(capacity: 1)
    pointer.initialize(to: descriptors[0])
    return pointer
}()

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { UnsafeRawPointer(stable) }
