import CTrainerPlugin
import Foundation

/// Calls a loaded plugin's `create` with validated parameter values and a host table: in the
/// training process for a plugin run in process, in the plugin host for an isolated one.
enum PluginCreation {
    struct Created {
        /// What `create` returned; passed back to every hook.
        var instance: UnsafeMutableRawPointer?
        /// The hooks this instance takes: its own table (ABI 1.1 `instance_hooks`), else the
        /// plugin's.
        var hooks: trainer_hooks_t
    }

    /// Creates the plugin with one value per schema entry, in order; throws
    /// `PluginRunError.createFailed` with the plugin's message when `create` fails.
    static func create(_ plugin: LoadedPlugin, values: [ParameterValue],
                       host: UnsafePointer<trainer_host_t>) throws -> Created {
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
        let cValues = values.map { $0.raw(cString: cString) }
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
                        plugin.raw.create(host, &params, &created, errorBuffer.baseAddress, errorBuffer.count)
                    }
                }
            }
        }
        guard status == TRAINER_STATUS_OK else {
            let message = error.withUnsafeMutableBufferPointer { ErrorBuffer.read($0.baseAddress!, size: $0.count) }
            throw PluginRunError.createFailed(plugin: plugin.id, message: message.isEmpty ? "no reason given" : message)
        }
        if let own = plugin.raw.instance_hooks?(created) {
            let (table, size) = copyStruct(UnsafeRawPointer(own), as: trainer_hooks_t.self)
            return Created(instance: created, hooks: size >= MemoryLayout<trainer_hooks_t>.size ? table : plugin.hookTable)
        }
        return Created(instance: created, hooks: plugin.hookTable)
    }
}
