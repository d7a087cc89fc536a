import CTrainerPlugin
import Foundation

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL) and its entry function called, as the
/// host loads it (never closed), and its descriptor read. Creating instances, calling hooks and
/// saved state are in the other files of this module.
public struct LoadedPlugin {
    /// The shared object this plugin was loaded from.
    public let path: String
    /// The dlopen handle, for looking up symbols a plugin exports for its tests.
    public let handle: UnsafeMutableRawPointer
    /// What the entry function returned.
    public let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    /// Loads the shared object at `path`.
    public init(_ path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError("dlopen \(path): \(String(cString: dlerror()))")
        }
        self.handle = handle
        guard let entry = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL) else {
            throw HarnessError("\(path) has no \(TRAINER_PLUGIN_ENTRY_SYMBOL)")
        }
        typealias Entry = @convention(c) () -> UnsafeRawPointer?
        guard let raw = unsafeBitCast(entry, to: Entry.self)() else {
            throw HarnessError("\(path): the entry function returned NULL")
        }
        descriptor = raw.assumingMemoryBound(to: trainer_plugin_descriptor_t.self)
    }

    /// Loads a built plugin product, e.g. `LoadedPlugin(product: "History")`; fails the test
    /// when it has not been built (see `Products.pluginPath`).
    public init(product name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try self.init(Products.pluginPath(name, file: file, line: line))
    }

    /// The descriptor's id.
    public var id: String { string(descriptor.pointee.id) }

    /// The descriptor's hook table (the full set, as `trainer plugins list` shows it).
    public var hooks: trainer_hooks_t { descriptor.pointee.hooks!.pointee }

    /// The parameter schema, in order.
    public var specs: [trainer_param_spec_t] {
        (0..<Int(descriptor.pointee.param_count)).map { descriptor.pointee.params![$0]!.pointee }
    }

    /// The schema's parameter names, in order.
    public var parameterNames: [String] { specs.map { string($0.name) } }

    /// A function the plugin exports besides its entry (test hooks such as a CRC function).
    public func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }
}
