import Foundation

/// Every plugin found on a search path: those the scanner found valid, and the files that are
/// not usable plugins, with why. Building it runs no plugin code in this process: files are
/// scanned in a child process (`PluginScanner`), or taken from the registry cache when they
/// have not changed since.
public final class PluginRegistry: @unchecked Sendable {
    public let searchPath: PluginSearchPath
    /// Valid plugins in discovery order.
    public private(set) var plugins: [ScannedPlugin] = []
    /// Files that are not usable plugins, in discovery order.
    public private(set) var invalid: [InvalidPlugin] = []
    /// Valid plugins whose id a file earlier on the search path provides: never loaded.
    public private(set) var shadowed: [ShadowedPlugin] = []
    /// Files that someone other than the user or root could have changed (see
    /// `PluginFilePermissions`): never scanned nor loaded, unless `allowInsecure`.
    public private(set) var insecure: [InvalidPlugin] = []
    /// Whether files others could have changed are scanned and loaded all the same
    /// (`--allow-insecure`).
    public let allowInsecure: Bool

    /// Discovers every plugin file on the path and learns what it is: from the cache (unless
    /// `rescan`), else by scanning it. Files that are not regular files are never opened, nor
    /// are files others could have changed unless `allowInsecure` (their id is known only when
    /// the cache has it from an earlier scan; such an id is then never taken from a later file).
    public init(searchPath: PluginSearchPath, scanner: PluginScanner = .standard(), rescan: Bool = false,
                allowInsecure: Bool = false) {
        self.searchPath = searchPath
        self.allowInsecure = allowInsecure
        let files = searchPath.pluginFiles()
        var cache = scanner.cacheLocation.map { ScanCache(location: $0) }
        var found: [String: (FileIdentity, ScanResult)] = [:]
        var problems: [String: FileIdentity.Problem] = [:]
        var insecurity: [String: InvalidPlugin] = [:]
        var toScan: [(path: String, identity: FileIdentity)] = []
        for path in files {
            switch FileIdentity.of(path) {
            case .failure(let problem):
                problems[path] = problem
            case .success(let identity):
                if !allowInsecure, let problem = PluginFilePermissions.problem(pluginFile: path) {
                    var id: String? = nil
                    if case .plugin(let descriptor)? = cache?.result(for: path, identity: identity) { id = descriptor.id }
                    insecurity[path] = InvalidPlugin(path: path, reason: problem, id: id, refused: true)
                } else if !rescan, let cached = cache?.result(for: path, identity: identity) {
                    found[path] = (identity, cached)
                } else {
                    toScan.append((path, identity))
                }
            }
        }
        if !toScan.isEmpty {
            for (file, outcome) in zip(toScan, scanner.scan(toScan.map(\.path))) {
                found[file.path] = (file.identity, outcome.result)
                if outcome.cacheable { cache?.record(outcome.result, for: file.path, identity: file.identity) }
            }
        }
        cache?.save()

        for path in files {
            if let problem = problems[path] {
                invalid.append(InvalidPlugin(path: path, reason: problem.description, id: nil))
                continue
            }
            if let refused = insecurity[path] {
                insecure.append(refused)
                continue
            }
            guard let (identity, result) = found[path] else { continue }
            switch result {
            case .invalid(let reason, let id):
                invalid.append(InvalidPlugin(path: path, reason: reason, id: id))
            case .plugin(let descriptor):
                if let first = plugin(id: descriptor.id)?.path
                    ?? insecure.first(where: { $0.id?.lowercased() == descriptor.id.lowercased() })?.path {
                    shadowed.append(ShadowedPlugin(path: path, descriptor: descriptor, by: first))
                } else {
                    plugins.append(ScannedPlugin(path: path, identity: identity, descriptor: descriptor))
                }
            }
        }
    }

    /// The plugin with this id, matched case-insensitively.
    public func plugin(id: String) -> ScannedPlugin? {
        let wanted = id.lowercased()
        return plugins.first { $0.id.lowercased() == wanted }
    }

    /// The files the plugin with this id shadows (same id, later on the search path).
    public func shadowedFiles(of id: String) -> [ShadowedPlugin] {
        shadowed.filter { $0.id.lowercased() == id.lowercased() }
    }

    /// The refused file that provides this id, or is named after it (`libID.so`).
    public func insecureFile(id: String) -> InvalidPlugin? {
        let wanted = id.lowercased()
        return insecure.first { $0.id?.lowercased() == wanted }
            ?? insecure.first { ($0.path as NSString).lastPathComponent.lowercased() == "lib\(wanted).so" }
    }

    /// An error for an id no valid plugin has, saying what was found instead.
    public func unknownPluginError(_ id: String) -> String {
        if let refused = insecureFile(id: id) {
            return "plugin \"\(id)\" is refused: \(refused.reason)"
        }
        if let broken = invalid.first(where: { $0.id?.lowercased() == id.lowercased() }) {
            return "plugin \"\(id)\" is invalid: \(broken.description)"
        }
        let known = plugins.map(\.id).joined(separator: ", ")
        if known.isEmpty {
            let searched = searchPath.directories.joined(separator: ", ")
            return "unknown plugin \"\(id)\" (no plugins found in \(searched); `swift build` builds the bundled ones next to trainer)"
        }
        return "unknown plugin \"\(id)\" (found: \(known))"
    }
}

/// A valid plugin file whose id a file found earlier on the search path also provides (a
/// `./plugins/libHistory.so` over the bundled History): the earlier one is loaded, this one
/// never is, and both are shown so that the shadowing is never silent.
public struct ShadowedPlugin: Sendable {
    public let path: String
    public let descriptor: PluginDescriptor
    /// The file that provides the id instead.
    public let by: String

    public var id: String { descriptor.id }
}
