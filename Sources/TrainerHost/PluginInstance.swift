import CTrainerPlugin
import Foundation
import Logging
import TrainerEngine

/// A created plugin: its instance pointer, and the host table the host made for it.
/// Destroying it (deinit) calls the plugin's `destroy` and frees what the table handed out.
///
/// An isolated plugin (`isolate = true`) runs in a plugin host, a child `trainer`; here its
/// instance pointer is its `PluginRelay` and its hooks are the relay's trampolines, so the
/// dispatcher calls it as it calls any other plugin.
public final class PluginInstance {
    public let id: String
    /// What `create` returned (or the relay); passed back to every hook.
    let instance: UnsafeMutableRawPointer?
    let host: HostTable
    /// The hooks this instance takes: its own table (ABI 1.1 `instance_hooks`), else the
    /// plugin's; for an isolated plugin, the relay's trampolines for the same hooks.
    let hookTable: trainer_hooks_t
    /// The plugin loaded into this process, when it runs in process.
    private let loaded: LoadedPlugin?
    /// The relay to the plugin host, when the plugin is isolated.
    let relay: PluginRelay?

    /// Creates the plugin in this process with validated parameter values, one per schema
    /// entry, in order.
    init(plugin: LoadedPlugin, values: [ParameterValue], session: TrainingSession?, logger: Logger) throws {
        id = plugin.id
        loaded = plugin
        relay = nil
        let host = HostTable(pluginID: plugin.id, session: session, logger: logger)
        self.host = host
        let created = try PluginCreation.create(plugin, values: values, host: host.table)
        instance = created.instance
        hookTable = created.hooks
    }

    /// Creates the plugin in a plugin host of its own, which loads the scanned file there.
    init(isolating plugin: ScannedPlugin, values: [ParameterValue], session: TrainingSession?, logger: Logger,
         policy: PluginFailurePolicy, isolation: PluginIsolation) throws {
        id = plugin.id
        loaded = nil
        let host = HostTable(pluginID: plugin.id, session: session, logger: logger)
        self.host = host
        let relay = try PluginRelay(plugin: plugin, values: values, host: host, policy: policy, isolation: isolation)
        self.relay = relay
        instance = Unmanaged.passUnretained(relay).toOpaque()
        hookTable = relay.hookTable
    }

    deinit {
        if let loaded {
            GuardedCall.run(loaded.id, "destroy") { loaded.raw.destroy(instance) }
        } else {
            relay?.destroy()
        }
    }

    /// Whether the plugin runs in a plugin host.
    public var isIsolated: Bool { relay != nil }

    /// The decisions the plugin reported through "trainer.report/1", in order.
    public var reports: [(name: String, value: Double)] { host.reports }

    /// The plugin's state as bytes, or nil when it keeps none (or, isolated, was disabled).
    public func saveState() throws -> [UInt8]? {
        if let relay { return try relay.saveState() }
        guard let loaded, let save = loaded.raw.save_state else { return nil }
        let collector = ByteCollector()
        let status = GuardedCall.run(id, "save_state") {
            withExtendedLifetime(collector) { collector.withSink { save(instance, $0) } }
        }
        guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: id, operation: "save_state") }
        return collector.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        if let relay { return try relay.loadState(bytes) }
        guard let loaded, let load = loaded.raw.load_state else { return }
        let status = GuardedCall.run(id, "load_state") {
            bytes.withUnsafeBytes { load(instance, $0.baseAddress, $0.count) }
        }
        guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: id, operation: "load_state") }
    }

    /// The error for a hook of this plugin that returned an error status: an isolated plugin
    /// that failed (with `on_plugin_failure = "fail"`) says how.
    func hookFailure(_ hook: PluginHook) -> PluginRunError {
        if let failure = relay?.failure { return .isolatedFailed(failure) }
        return .hookFailed(plugin: id, hook: hook)
    }
}

/// Errors of running plugins (as opposed to loading them).
public enum PluginRunError: Error, CustomStringConvertible {
    case createFailed(plugin: String, message: String)
    case hookFailed(plugin: String, hook: PluginHook)
    case stateFailed(plugin: String, operation: String)
    /// An isolated plugin crashed, exited, hung or garbled its answer, and its policy is "fail".
    case isolatedFailed(PluginFailureLog.Failure)

    public var description: String {
        switch self {
        case .createFailed(let plugin, let message): return "plugin \(plugin) could not start: \(message)"
        case .hookFailed(let plugin, let hook): return "plugin \(plugin) failed in \(hook.rawValue)"
        case .stateFailed(let plugin, let operation): return "plugin \(plugin) failed in \(operation)"
        case .isolatedFailed(let failure): return "\(failure.summary)\(failure.place); the run stops (on_plugin_failure = \"fail\")"
        }
    }
}

/// Collects the bytes a plugin writes through a `trainer_byte_sink_t`.
final class ByteCollector {
    var bytes: [UInt8] = []

    func withSink<R>(_ body: (UnsafePointer<trainer_byte_sink_t>) -> R) -> R {
        var sink = trainer_byte_sink_t(
            struct_size: UInt32(MemoryLayout<trainer_byte_sink_t>.size),
            sink_data: Unmanaged.passUnretained(self).toOpaque(),
            write: { sink, bytes, size in
                guard let sink, let data = sink.pointee.sink_data else { return TRAINER_STATUS_ERROR }
                let collector = Unmanaged<ByteCollector>.fromOpaque(data).takeUnretainedValue()
                if size > 0 {
                    guard let bytes else { return TRAINER_STATUS_ERROR }
                    collector.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: size))
                }
                return TRAINER_STATUS_OK
            })
        return body(&sink)
    }
}
