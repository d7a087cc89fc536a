import CTrainerPlugin
import SwiftToolchain
import Foundation

/// A plugin file that loaded and passed every check.
public final class LoadedPlugin: @unchecked Sendable {
    public let path: String
    public let descriptor: PluginDescriptor
    /// The plugin's own descriptor, valid until exit (plugins are never unloaded).
    let raw: trainer_plugin_descriptor_t
    /// The plugin's hook table, copied: fields past its struct_size are NULL.
    let hookTable: trainer_hooks_t

    init(path: String, descriptor: PluginDescriptor, raw: trainer_plugin_descriptor_t,
         hookTable: trainer_hooks_t) {
        self.path = path
        self.descriptor = descriptor
        self.raw = raw
        self.hookTable = hookTable
    }

    public var id: String { descriptor.id }
}

/// Why a plugin file could not be used.
public struct InvalidPlugin: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    /// The plugin's id when it got far enough to say it.
    public let id: String?

    public var description: String { "\(path): \(reason)" }
}

/// Loads plugin files: dlopen, the entry symbol, the ABI version and the descriptor's checks.
/// Never unloads a plugin (the Swift runtime cannot unload images).
public enum PluginLoader {
    /// The toolchain the host was built with ("swift-<major>.<minor>"), compared as an exact
    /// string with a Swift plugin's.
    public static let hostToolchain = swiftToolchain

    public static func load(path: String) -> Result<LoadedPlugin, InvalidPlugin> {
        func invalid(_ reason: String, id: String? = nil) -> Result<LoadedPlugin, InvalidPlugin> {
            .failure(InvalidPlugin(path: path, reason: reason, id: id))
        }
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return invalid("not a loadable shared object: \(shorten(message, path: path))")
        }
        guard let symbol = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL) else {
            return invalid("no \(TRAINER_PLUGIN_ENTRY_SYMBOL) symbol: not a trainer plugin")
        }
        let entry = unsafeBitCast(symbol, to: trainer_plugin_entry_fn.self)
        guard let pointer = entry() else {
            return invalid("\(TRAINER_PLUGIN_ENTRY_SYMBOL) returned NULL")
        }
        switch DescriptorReader.read(pointer) {
        case .failure(let problem):
            return invalid(problem.reason, id: problem.id)
        case .success(let (descriptor, raw, hooks)):
            return .success(LoadedPlugin(path: path, descriptor: descriptor, raw: raw, hookTable: hooks))
        }
    }

    /// dlerror repeats the path; keep the reason.
    private static func shorten(_ message: String, path: String) -> String {
        let prefix = path + ": "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }
}
