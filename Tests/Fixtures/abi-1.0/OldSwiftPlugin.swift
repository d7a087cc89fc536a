// A Swift plugin built against the ABI 1.0 header (Tests/Fixtures/abi-1.0/trainer_plugin.h),
// as one built before 1.1 was released would be. It handles its descriptor through generic
// code (an array, an optional), so the Swift runtime registers that header's layout of the
// descriptor type in the process; a newer host must still read it right and run it.
//   swiftc -emit-library -parse-as-library -I Tests/Fixtures/abi-1.0 OldSwiftPlugin.swift -o libOldSwift.so
import CTrainerPlugin10
import Glibc

private func create(_ host: UnsafePointer<trainer_host_t>?, _ params: UnsafePointer<trainer_param_values_t>?,
                    _ out: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CChar>?,
                    _ size: Int) -> trainer_status_t {
    out?.pointee = nil
    return TRAINER_STATUS_OK
}

private let descriptors: [trainer_plugin_descriptor_t] = {
    let hooks = UnsafeMutablePointer<trainer_hooks_t>.allocate(capacity: 1)
    hooks.initialize(to: trainer_hooks_t())
    hooks.pointee.struct_size = UInt32(MemoryLayout<trainer_hooks_t>.size)
    hooks.pointee.on_epoch_end = { _, _, _ in TRAINER_STATUS_OK }
    var d = trainer_plugin_descriptor_t()
    d.struct_size = UInt32(MemoryLayout<trainer_plugin_descriptor_t>.size)
    d.abi = trainer_abi_version_t(major: 1, minor: 0)
    d.id = UnsafePointer(strdup("OldSwift"))
    d.name = UnsafePointer(strdup("Old Swift plugin"))
    d.version = UnsafePointer(strdup("1.0.0"))
    d.summary = UnsafePointer(strdup("Built against ABI 1.0."))
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
