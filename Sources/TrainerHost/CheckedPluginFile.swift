import Foundation

/// A scanned plugin's file, opened and checked before anything of it runs in this process:
/// it is still the file that was scanned (device, inode, size, modification time, taken from
/// the open descriptor), and, unless insecure files are allowed, no one but the user or root
/// could have changed it or its directory (`PluginFilePermissions`). Its SHA-256 is read
/// from the same descriptor, which stays open until the checked file is closed: the bytes
/// hashed are those of the file checked.
public final class CheckedPluginFile {
    public let plugin: ScannedPlugin
    let fd: Int32

    private init(plugin: ScannedPlugin, fd: Int32) {
        self.plugin = plugin
        self.fd = fd
    }

    deinit { close(fd) }

    /// Opens the plugin's file and checks it. A failure is an `InvalidPlugin`, `refused` when
    /// the file is insecure.
    public static func open(_ plugin: ScannedPlugin, allowInsecure: Bool) -> Result<CheckedPluginFile, InvalidPlugin> {
        let path = plugin.path
        func invalid(_ reason: String) -> Result<CheckedPluginFile, InvalidPlugin> {
            .failure(InvalidPlugin(path: path, reason: reason, id: plugin.id))
        }
        let changed = "changed since it was scanned; run the command again"
        switch FileIdentity.of(path) {
        case .failure(let problem): return invalid(problem.description)
        case .success(let identity) where identity != plugin.identity: return invalid(changed)
        case .success: break
        }
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return invalid("cannot be read: \(String(cString: strerror(errno)))") }
        let file = CheckedPluginFile(plugin: plugin, fd: fd)
        var info = stat()
        guard fstat(fd, &info) == 0, (try? FileIdentity.of(fd: fd).get()) == plugin.identity else { return invalid(changed) }
        if !allowInsecure, let problem = PluginFilePermissions.problem(pluginFile: path, fileStatus: .init(info)) {
            return .failure(InvalidPlugin(path: path, reason: problem, id: plugin.id, refused: true))
        }
        return .success(file)
    }

    /// The SHA-256 of the open file, as 64 lowercase hexadecimal digits.
    public func sha256() -> Result<String, InvalidPlugin> {
        FileDigest.sha256(fd: fd).mapError { InvalidPlugin(path: plugin.path, reason: "cannot be read: \($0)", id: plugin.id) }
    }

    /// Refuses the file unless its SHA-256 is the one `pins` records for the plugin (a
    /// plugin `pins` has no digest for is not pinned, and passes).
    public func verify(_ pins: PluginPins) -> Result<Void, InvalidPlugin> {
        guard let recorded = pins.sha256(for: plugin.id) else { return .success(()) }
        switch sha256() {
        case .failure(let problem): return .failure(problem)
        case .success(let actual) where actual != recorded:
            return .failure(InvalidPlugin(
                path: plugin.path, reason: pins.mismatch(id: plugin.id, path: plugin.path, recorded: recorded, actual: actual),
                id: plugin.id, refused: true))
        case .success: return .success(())
        }
    }
}
