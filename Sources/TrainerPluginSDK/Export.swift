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

struct Registration {
    let type: any TrainerCallback.Type
    let schema: [ParameterSpec]
    let descriptor: UnsafeMutablePointer<trainer_plugin_descriptor_t>
}

/// This image's plugin. `create` has no context argument, so it finds the type here.
nonisolated(unsafe) var registration: Registration?
/// Changed only on the host's plugin thread (create and destroy), as the ABI guarantees.
nonisolated(unsafe) var liveInstances = 0

let registrationLock: UnsafeMutablePointer<pthread_mutex_t> = {
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    return lock
}()

func currentRegistration() -> Registration? {
    pthread_mutex_lock(registrationLock)
    defer { pthread_mutex_unlock(registrationLock) }
    return registration
}
