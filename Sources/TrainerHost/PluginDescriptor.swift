import CTrainerPlugin

/// A plugin's self-description, copied out of its C descriptor and checked.
public struct PluginDescriptor: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var version: String
    public var summary: String
    /// The plugin's ABI version.
    public var abiMajor: UInt32
    public var abiMinor: UInt32
    /// "swift-6.3" for a Swift plugin, "" for C.
    public var toolchain: String
    public var parameters: [ParameterSpec]
    public var hooks: [PluginHook]
    public var savesState: Bool

    public var abiText: String { "\(abiMajor).\(abiMinor)" }

    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }
}
