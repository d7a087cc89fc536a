import Foundation

/// Where the host looks for plugins, in order. The first directory to provide an id wins;
/// a later file with the same id is listed as invalid.
public struct PluginSearchPath: Sendable {
    public var directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// Where an install keeps the bundled plugins, relative to its prefix (the binary is
    /// `<prefix>/bin/trainer`): scripts/install puts them there.
    public static let installedPluginsSubdirectory = "lib/trainer/plugins"

    /// `--plugins-dir` options, `$TRAINER_PLUGIN_PATH` (colon-separated), `./plugins`, the
    /// directory holding the `trainer` binary (the plugins a build tree holds), the installed
    /// plugins beside it (`<binary's directory>/../lib/trainer/plugins`), then
    /// `~/.local/share/trainer/plugins`.
    public static func standard(extraDirectories: [String] = [],
                                environment: [String: String] = ProcessInfo.processInfo.environment,
                                workingDirectory: String = FileManager.default.currentDirectoryPath,
                                executableDirectory: String? = PluginSearchPath.executableDirectory())
        -> PluginSearchPath
    {
        var directories = extraDirectories
        if let path = environment["TRAINER_PLUGIN_PATH"] {
            directories += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        directories.append((workingDirectory as NSString).appendingPathComponent("plugins"))
        if let executableDirectory {
            directories.append(executableDirectory)
            let prefix = (executableDirectory as NSString).deletingLastPathComponent
            directories.append((prefix as NSString).appendingPathComponent(installedPluginsSubdirectory))
        }
        if let user = userDirectory(environment: environment) { directories.append(user) }
        return PluginSearchPath(directories: directories)
    }

    /// The user's plugin directory, `~/.local/share/trainer/plugins` (where `trainer plugins
    /// install` copies plugins); nil without a HOME.
    public static func userDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".local/share/trainer/plugins")
    }

    /// The directory of the running executable (from /proc/self/exe).
    public static func executableDirectory() -> String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        return (path as NSString).deletingLastPathComponent
    }

    /// The `*.so` names of every directory, in search order, each real file once: regular
    /// files, and anything else so named (a FIFO, a directory), which the registry reports
    /// without opening it. Missing directories are skipped; files in one directory come in
    /// name order.
    public func pluginFiles() -> [String] {
        var seen = Set<String>()
        var files: [String] = []
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names.sorted() where name.hasSuffix(".so") {
                let path = (directory as NSString).appendingPathComponent(name)
                let real = (path as NSString).resolvingSymlinksInPath
                if seen.insert(real).inserted { files.append(path) }
            }
        }
        return files
    }
}
