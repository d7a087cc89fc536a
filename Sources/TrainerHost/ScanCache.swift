import CTrainerPlugin
import Foundation

/// The registry cache: what scanning each plugin file found, keyed by its path and identity
/// (device, inode, size, modification time), so that an unchanged plugin directory costs no
/// scan, and a file that failed stays failed until it changes. A cache file that cannot be
/// read, is not this format, or was written by another trainer version, ABI or toolchain is
/// ignored (and rewritten); writing goes to a temporary name, then a rename.
public struct ScanCache {
    /// One file's scan.
    public struct Entry: Codable, Equatable, Sendable {
        public var path: String
        public var identity: FileIdentity
        public var result: ScanResult
    }

    /// The file as written: what wrote it, then the entries.
    struct Contents: Codable {
        var format: Int
        var trainer: String
        var abi: String
        var toolchain: String
        var entries: [Entry]
    }

    /// What a cache must have been written by to be used.
    static var current: Contents {
        Contents(format: 2, trainer: TrainerVersion.current, abi: "\(TRAINER_ABI_MAJOR).\(TRAINER_ABI_MINOR)",
                 toolchain: PluginLoader.hostToolchain, entries: [])
    }

    public let location: String
    /// The entries by path.
    public private(set) var entries: [String: Entry] = [:]
    /// Whether the file needs writing: an entry changed, or what is there is unusable.
    public private(set) var needsWriting = false

    /// Reads the cache at `location`; a missing, unreadable or foreign file gives an empty
    /// cache.
    public init(location: String) {
        self.location = location
        guard let data = FileManager.default.contents(atPath: location) else {
            needsWriting = FileManager.default.fileExists(atPath: location)
            return
        }
        let expected = Self.current
        guard let contents = try? ScanJSON.decoder().decode(Contents.self, from: data),
              contents.format == expected.format, contents.trainer == expected.trainer,
              contents.abi == expected.abi, contents.toolchain == expected.toolchain else {
            needsWriting = true
            return
        }
        for entry in contents.entries { entries[entry.path] = entry }
    }

    /// `$XDG_CACHE_HOME/trainer/registry.json` (an absolute XDG_CACHE_HOME), else
    /// `$HOME/.cache/trainer/registry.json`; nil without either.
    public static func standardLocation(environment: [String: String]) -> String? {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
            return base + "/trainer/registry.json"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.cache/trainer/registry.json"
        }
        return nil
    }

    /// The scan of `path` when it was made of the same file.
    public func result(for path: String, identity: FileIdentity) -> ScanResult? {
        guard let entry = entries[path], entry.identity == identity else { return nil }
        return entry.result
    }

    public mutating func record(_ result: ScanResult, for path: String, identity: FileIdentity) {
        let entry = Entry(path: path, identity: identity, result: result)
        if entries[path] != entry {
            entries[path] = entry
            needsWriting = true
        }
    }

    /// Writes the cache when it needs it, keeping only entries whose file is still the one
    /// scanned. Returns false when it could not be written (it is only a cache: nothing else
    /// depends on it).
    @discardableResult
    public mutating func save() -> Bool {
        guard needsWriting else { return true }
        var contents = Self.current
        contents.entries = entries.values
            .filter { entry in (try? FileIdentity.of(entry.path).get()) == entry.identity }
            .sorted { $0.path < $1.path }
        guard let data = try? ScanJSON.encoder().encode(contents) else { return false }
        let directory = (location as NSString).deletingLastPathComponent
        let temporary = location + ".\(getpid()).\(UUID().uuidString).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        guard rename(temporary, location) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        needsWriting = false
        return true
    }
}
