import TrainerHost

/// The `[plugin_sha256]` part of a configuration file: the SHA-256 of each plugin file as
/// `trainer plugins enable` approved it, by plugin id.
///
///     [plugin_sha256]
///     StopAtAccuracy = "9f2c...e1"   # 64 hexadecimal digits
///
/// A run refuses a plugin whose file no longer has its recorded digest (`PluginPins`).
public enum PluginHashesSection {
    static let tableName = "plugin_sha256"

    static func read(_ table: ConfigReader) throws -> [String: String] {
        var hashes: [String: String] = [:]
        for id in table.values.keys.sorted() {
            guard let digest = try table.string(id), FileDigest.isSHA256(digest) else {
                throw table.error(id, "must be a SHA-256 written as 64 hexadecimal digits (`trainer plugins enable \(id)` records it)")
            }
            guard hashes.updateValue(digest.lowercased(), forKey: id.lowercased()) == nil else {
                throw table.error(id, "records \(id) twice (ids are matched case-insensitively)")
            }
        }
        return hashes
    }
}
