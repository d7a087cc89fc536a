import CTrainerPlugin
import SwiftToolchain
import Foundation

/// A plugin file loaded into this process, for a run that enables it.
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
    /// Whether the file is a plugin that was refused (who could change it, or a hash that no
    /// longer matches), rather than not a usable plugin.
    public let refused: Bool

    public init(path: String, reason: String, id: String?, refused: Bool = false) {
        self.path = path
        self.reason = reason
        self.id = id
        self.refused = refused
    }

    /// A refusal's reason names the file itself.
    public var description: String { refused ? reason : "\(path): \(reason)" }
}

/// Opens plugin files: dlopen, the entry symbol, the ABI version and the descriptor's checks.
/// `scan` runs in the scanner's child process, on any file; `load` runs in the training
/// process, on a file the scan found valid. Never unloads a plugin (the Swift runtime cannot
/// unload images).
public enum PluginLoader {
    /// The toolchain the host was built with ("swift-<major>.<minor>"), compared as an exact
    /// string with a Swift plugin's.
    public static let hostToolchain = swiftToolchain

    /// Opens the file and reads its descriptor, telling `stage` before each step (so that a
    /// crash can be placed). Only for the scanner's child process: the plugin's code runs here.
    static func scan(path: String, stage: (ScanStage) -> Void) -> ScanResult {
        if case .failure(let problem) = FileIdentity.of(path) {
            return .invalid(reason: problem.description, id: nil)
        }
        switch open(path: path, expectedParameterCount: nil, stage: stage) {
        case .failure(let problem): return .invalid(reason: problem.reason, id: problem.id)
        case .success(let plugin): return .plugin(plugin.descriptor)
        }
    }

    /// Loads a scanned plugin into this process: only the file that was scanned (same device,
    /// inode, size and modification time), whose descriptor has the counts the scan checked and
    /// says what it said then. Before anything of it runs, the file is opened and checked on
    /// that descriptor: who could have changed it (refused unless `allowInsecure`, see
    /// `PluginFilePermissions`) and, when `pins` records a SHA-256 for the plugin, that its
    /// bytes still have it. A refusal is an `InvalidPlugin` whose `refused` is true. dlopen then
    /// opens the file by its path, not as /proc/self/fd/N (a plugin's `$ORIGIN`, where its own
    /// libraries are found, must stay its directory), while the checked file is still open, and
    /// the path must still name that file afterwards; only its owner or root, who could run
    /// anything anyway, can swap it in between.
    public static func load(_ scanned: ScannedPlugin, pins: PluginPins = .none, allowInsecure: Bool = false)
        -> Result<LoadedPlugin, InvalidPlugin>
    {
        let path = scanned.path
        func invalid(_ reason: String) -> Result<LoadedPlugin, InvalidPlugin> {
            .failure(InvalidPlugin(path: path, reason: reason, id: scanned.id))
        }
        // The checks are made on the open file, which stays open until it is loaded.
        let file: CheckedPluginFile
        switch CheckedPluginFile.open(scanned, allowInsecure: allowInsecure) {
        case .failure(let problem): return .failure(problem)
        case .success(let checked): file = checked
        }
        if case .failure(let problem) = file.verify(pins) { return .failure(problem) }
        let result = open(path: path, expectedParameterCount: scanned.descriptor.parameters.count, stage: { _ in })
        // The file dlopen opened by name must be the one checked.
        guard (try? FileIdentity.of(path).get()) == scanned.identity else {
            return invalid("changed while it was loaded; run the command again")
        }
        withExtendedLifetime(file) {}
        switch result {
        case .failure(let problem): return .failure(problem)
        case .success(let plugin) where !ScanJSON.same(plugin.descriptor, scanned.descriptor):
            return invalid("describes itself otherwise than when it was scanned; run the command again")
        case .success(let plugin): return .success(plugin)
        }
    }

    /// Opens the file in this process (the scanner's, a validator's check's).
    static func open(path: String, expectedParameterCount: Int?, stage: (ScanStage) -> Void)
        -> Result<LoadedPlugin, InvalidPlugin>
    {
        func invalid(_ reason: String, id: String? = nil) -> Result<LoadedPlugin, InvalidPlugin> {
            .failure(InvalidPlugin(path: path, reason: reason, id: id))
        }
        stage(.dlopen)
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            return invalid("not a loadable shared object: \(shorten(message, path: path))")
        }
        guard let symbol = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL) else {
            return invalid("no \(TRAINER_PLUGIN_ENTRY_SYMBOL) symbol: not a trainer plugin")
        }
        let entry = unsafeBitCast(symbol, to: trainer_plugin_entry_fn.self)
        stage(.entry)
        guard let pointer = entry() else {
            return invalid("\(TRAINER_PLUGIN_ENTRY_SYMBOL) returned NULL")
        }
        stage(.descriptor)
        switch DescriptorReader.read(pointer, expectedParameterCount: expectedParameterCount) {
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
