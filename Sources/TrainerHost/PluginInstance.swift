import CTrainerPlugin
import Foundation
import Logging
import TrainerEngine

/// A created plugin: its instance pointer, and the host table the host made for it.
/// Destroying it (deinit) calls the plugin's `destroy` and frees what the table handed out.
public final class PluginInstance {
    public let plugin: LoadedPlugin
    /// What `create` returned; passed back to every hook.
    let instance: UnsafeMutableRawPointer?
    let host: HostTable
    /// The hooks this instance takes: its own table (ABI 1.1 `instance_hooks`), else the
    /// plugin's.
    let hookTable: trainer_hooks_t

    /// Creates the plugin with validated parameter values, one per schema entry, in order.
    init(plugin: LoadedPlugin, values: [ParameterValue], session: TrainingSession?, logger: Logger) throws {
        self.plugin = plugin
        let host = HostTable(pluginID: plugin.id, session: session, logger: logger)
        self.host = host
        let specs = plugin.descriptor.parameters
        precondition(values.count == specs.count, "one value per parameter")

        // The parameter values, borrowed by the plugin for the duration of create.
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func cString(_ text: String) -> UnsafePointer<CChar> {
            let made = strdup(text)!
            strings.append(made)
            return UnsafePointer(made)
        }
        let names = specs.map { Optional(cString($0.name)) }
        let cValues: [trainer_value_t] = values.map { value in
            var out = trainer_value_t()
            switch value {
            case .none: out.type = trainer_value_type_t(TRAINER_VALUE_NONE)
            case .bool(let b): out.type = trainer_value_type_t(TRAINER_VALUE_BOOL); out.int_value = b ? 1 : 0
            case .int(let i): out.type = trainer_value_type_t(TRAINER_VALUE_INT); out.int_value = i
            case .double(let d): out.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE); out.double_value = d
            case .string(let s): out.type = trainer_value_type_t(TRAINER_VALUE_STRING); out.string_value = cString(s)
            }
            return out
        }
        var created: UnsafeMutableRawPointer? = nil
        var error = [CChar](repeating: 0, count: 1024)
        let status = names.withUnsafeBufferPointer { namesBuffer in
            cValues.withUnsafeBufferPointer { valuesBuffer in
                var params = trainer_param_values_t(
                    struct_size: UInt32(MemoryLayout<trainer_param_values_t>.size),
                    count: UInt32(specs.count),
                    names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                return error.withUnsafeMutableBufferPointer { errorBuffer in
                    GuardedCall.run(plugin.id, "create") {
                        plugin.raw.create(host.table, &params, &created, errorBuffer.baseAddress, errorBuffer.count)
                    }
                }
            }
        }
        guard status == TRAINER_STATUS_OK else {
            error[error.count - 1] = 0
            let message = String(cString: error)
            throw PluginRunError.createFailed(plugin: plugin.id, message: message.isEmpty ? "no reason given" : message)
        }
        instance = created
        if let own = plugin.raw.instance_hooks?(created) {
            let (table, size) = copyStruct(UnsafeRawPointer(own), as: trainer_hooks_t.self)
            hookTable = size >= MemoryLayout<trainer_hooks_t>.size ? table : plugin.hookTable
        } else {
            hookTable = plugin.hookTable
        }
    }

    deinit {
        GuardedCall.run(plugin.id, "destroy") { plugin.raw.destroy(instance) }
    }

    public var id: String { plugin.id }

    /// The decisions the plugin reported through "trainer.report/1", in order.
    public var reports: [(name: String, value: Double)] { host.reports }

    /// The plugin's state as bytes, or nil when it keeps none.
    public func saveState() throws -> [UInt8]? {
        guard let save = plugin.raw.save_state else { return nil }
        let collector = ByteCollector()
        let status = GuardedCall.run(id, "save_state") {
            withExtendedLifetime(collector) { collector.withSink { save(instance, $0) } }
        }
        guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: id, operation: "save_state") }
        return collector.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        guard let load = plugin.raw.load_state else { return }
        let status = GuardedCall.run(id, "load_state") {
            bytes.withUnsafeBytes { load(instance, $0.baseAddress, $0.count) }
        }
        guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: id, operation: "load_state") }
    }
}

/// Errors of running plugins (as opposed to loading them).
public enum PluginRunError: Error, CustomStringConvertible {
    case createFailed(plugin: String, message: String)
    case hookFailed(plugin: String, hook: PluginHook)
    case stateFailed(plugin: String, operation: String)

    public var description: String {
        switch self {
        case .createFailed(let plugin, let message): return "plugin \(plugin) could not start: \(message)"
        case .hookFailed(let plugin, let hook): return "plugin \(plugin) failed in \(hook.rawValue)"
        case .stateFailed(let plugin, let operation): return "plugin \(plugin) failed in \(operation)"
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
