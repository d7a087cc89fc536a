/// The SHA-256 of each plugin file the user approved, by plugin id: `trainer plugins enable ID`
/// records it in the configuration file (`[plugin_sha256]`), and a run refuses a plugin whose
/// file no longer has it, before the file is loaded. A plugin with no recorded hash (enabled by
/// an older trainer, by hand, or one of Keras's default plugins) is "not pinned": it loads as
/// before, and `trainer plugins list` says so.
public struct PluginPins: Sendable, Equatable {
    /// The configuration file the hashes were read from, for messages.
    public var source: String
    /// Lowercase hexadecimal digests by lowercased plugin id.
    public private(set) var hashes: [String: String]

    public init(source: String, hashes: [String: String]) {
        self.source = source
        self.hashes = Dictionary(hashes.map { ($0.key.lowercased(), $0.value.lowercased()) }, uniquingKeysWith: { $1 })
    }

    /// No configuration file: nothing is pinned.
    public static let none = PluginPins(source: "trainer.toml", hashes: [:])

    /// The recorded digest of the plugin with this id (matched case-insensitively).
    public func sha256(for id: String) -> String? {
        hashes[id.lowercased()]
    }

    /// The command that approves the plugin's current file again.
    public func approveCommand(_ id: String) -> String {
        "trainer plugins enable \(id)" + (source == "trainer.toml" || source == "./trainer.toml" ? "" : " --config \(source)")
    }

    /// Why a file whose digest is `actual` is refused for the plugin `id` pinned to `recorded`.
    public func mismatch(id: String, path: String, recorded: String, actual: String) -> String {
        "\(path) changed since it was enabled (SHA-256 \(actual.prefix(12))…, \(source) records \(recorded.prefix(12))…); "
            + "if you trust the new file, approve it again with `\(approveCommand(id))`"
    }
}
