import Foundation
import TrainerHost

/// `trainer plugins install FILE.so`: checks a plugin file, then copies it, mode 0755, into the
/// user's plugin directory (`~/.local/share/trainer/plugins`). It enables nothing: `trainer
/// plugins enable ID` does that, approving the installed file.
public enum PluginInstaller {
    /// Installs `file` into `directory` (default: the user's plugin directory). Refuses a file
    /// that is not a valid plugin (with the scan's reason) or fails `trainer plugins validate`
    /// (run with `settings` for the parameters it needs), and a different plugin file with the
    /// same id already in `directory` unless `force`. Returns what it did, for the user.
    public static func install(file: String, into directory: String? = nil, force: Bool = false,
                               settings: [KeyValueText] = [],
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        guard let directory = directory ?? PluginSearchPath.userDirectory(environment: environment) else {
            throw UsageProblem("cannot install \(file): HOME is not set, so there is no ~/.local/share/trainer/plugins")
        }
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw UsageProblem("cannot install \(file): no such file")
        }
        let name = (file as NSString).lastPathComponent
        guard name.hasSuffix(".so") else {
            throw UsageProblem("cannot install \(file): a plugin file is a shared object named *.so")
        }

        // The bytes that are checked are the bytes that get installed: a private copy.
        let staging = try makeStagingDirectory()
        defer { try? files.removeItem(atPath: staging) }
        let staged = (staging as NSString).appendingPathComponent(name)
        do {
            // A link is installed as the file it leads to, not as a link.
            try files.copyItem(atPath: (file as NSString).resolvingSymlinksInPath, toPath: staged)
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: staged)
        } catch {
            throw UsageProblem("cannot install \(file): cannot read it (\(error.localizedDescription))")
        }
        let plugin = try check(staged, shownAs: file, settings: settings)

        try UsageProblem.wrap {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                      attributes: [.posixPermissions: 0o755])
        }
        let destination = (directory as NSString).appendingPathComponent(name)
        let newDigest = try digest(staged)
        var replaced: [String] = []
        for existing in installed(in: directory) {
            let sameId = existing.id?.lowercased() == plugin.id.lowercased()
            let sameFile = existing.path == destination
            guard sameId || sameFile else { continue }
            if sameFile, sameId, (try? digest(existing.path)) == newDigest {
                return "\(plugin.id) \(plugin.version) is already installed at \(destination) (the same file); "
                    + "enable it with: trainer plugins enable \(plugin.id)"
            }
            guard force else {
                let what = existing.id.map { "plugin \($0)" } ?? "a file that is not a valid plugin"
                throw UsageProblem("cannot install \(file): \(existing.path) already provides \(what)"
                    + (existing.version.map { " \($0)" } ?? "")
                    + "; pass --force to replace it with \(plugin.id) \(plugin.version)")
            }
            if !sameFile { replaced.append(existing.path) }
        }
        try UsageProblem.wrap {
            let temporary = (directory as NSString).appendingPathComponent(".\(name).installing-\(getpid())")
            try? files.removeItem(atPath: temporary)
            try files.copyItem(atPath: staged, toPath: temporary)
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
            guard rename(temporary, destination) == 0 else {
                let reason = String(cString: strerror(errno))
                try? files.removeItem(atPath: temporary)
                throw UsageProblem("cannot install \(file) as \(destination): \(reason)")
            }
            for path in replaced { try files.removeItem(atPath: path) }
        }
        var lines = ["Installed \(plugin.id) \(plugin.version) (\(plugin.hooks.count) hooks) to \(destination)."]
        if !replaced.isEmpty { lines.append("Removed \(replaced.joined(separator: ", ")), which provided the same id.") }
        lines.append("Enable it with: trainer plugins enable \(plugin.id)")
        return lines.joined(separator: "\n")
    }

    /// What a file must pass before it is installed: a scan in a child process (the descriptor,
    /// its id, versions, struct sizes and schema, as for every plugin file), then every check of
    /// `trainer plugins validate`, each in a child process of its own.
    static func check(_ staged: String, shownAs file: String, settings: [KeyValueText]) throws -> PluginDescriptor {
        var scanner = PluginScanner.standard()
        scanner.cacheLocation = nil
        let directory = (staged as NSString).deletingLastPathComponent
        let registry = PluginRegistry(searchPath: PluginSearchPath(directories: [directory]), scanner: scanner,
                                      rescan: true)
        if let plugin = registry.plugins.first {
            let report = try UsageProblem.wrap {
                try PluginValidator().validate(path: staged, settings: settings.map { ($0.key, $0.value) },
                                               seed: UInt64.random(in: 0...UInt64.max))
            }
            let failed = report.checks.filter { $0.status == .fail }
            guard failed.isEmpty else {
                let sets = settings.map { " --set \($0.key)=\($0.value)" }.joined()
                throw UsageProblem("cannot install \(file): it fails trainer plugins validate (seed \(report.seed)): "
                    + failed.map { "\($0.check.rawValue): \($0.reason)" }.joined(separator: "; ")
                    + ". The whole report: trainer plugins validate \(file)\(sets) --seed \(report.seed)"
                    + " (give the parameters it needs with --set key=value)")
            }
            return plugin.descriptor
        }
        let reason = registry.invalid.first?.reason ?? registry.insecure.first?.reason ?? "the scan found no plugin in it"
        throw UsageProblem("cannot install \(file): not a valid plugin: \(reason)")
    }

    /// The plugin files in `directory`, with the id and version each provides (nil when invalid,
    /// or refused for its permissions: such a file is not scanned).
    private static func installed(in directory: String) -> [(path: String, id: String?, version: String?)] {
        var scanner = PluginScanner.standard()
        scanner.cacheLocation = nil
        let registry = PluginRegistry(searchPath: PluginSearchPath(directories: [directory]), scanner: scanner,
                                      rescan: true)
        return registry.plugins.map { ($0.path, $0.id, $0.descriptor.version) }
            + registry.shadowed.map { ($0.path, $0.id, $0.descriptor.version) }
            + (registry.invalid + registry.insecure).map { ($0.path, $0.id, nil) }
    }

    private static func digest(_ path: String) throws -> String {
        switch FileDigest.sha256(path: path) {
        case .success(let digest): return digest
        case .failure(let error): throw UsageProblem("cannot read \(path): \(error.description)")
        }
    }

    /// A new directory only this user can enter, for the copy under check.
    private static func makeStagingDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("trainer-install-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw UsageProblem("cannot create a temporary directory to check the plugin: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
