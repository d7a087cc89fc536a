/// A plugin file the scanner opened in a child process and found valid: where it is, which
/// file it was (so that the training process loads that file and no other), and what it
/// says about itself. Nothing of the plugin runs in this process until a run enables it
/// (`PluginLoader.load`).
public struct ScannedPlugin: Sendable {
    public let path: String
    public let identity: FileIdentity
    public let descriptor: PluginDescriptor

    public init(path: String, identity: FileIdentity, descriptor: PluginDescriptor) {
        self.path = path
        self.identity = identity
        self.descriptor = descriptor
    }

    public var id: String { descriptor.id }
}
