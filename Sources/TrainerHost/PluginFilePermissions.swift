import Foundation

/// Who could change a plugin file, as sudo and ssh ask before they trust a file: a plugin file,
/// or the directory holding it, that is writable by group or others, or owned by a user other
/// than the effective user or root, could have been replaced by someone else, and is refused
/// (unless `--allow-insecure`). Only the file and the directory holding it are checked (both
/// the one it was found in and, for a symbolic link, the one holding the real file), never the
/// directories above: a world-writable directory such as /tmp is no plugin directory itself,
/// and a plugin directory made inside it with mode 0755 is fine.
public enum PluginFilePermissions {
    /// What was found about one file or directory: its mode bits and its owner.
    public struct Status: Equatable, Sendable {
        public var mode: UInt32
        public var owner: UInt32

        public init(mode: UInt32, owner: UInt32) {
            self.mode = mode
            self.owner = owner
        }

        public init(_ info: stat) {
            self.init(mode: UInt32(info.st_mode), owner: UInt32(info.st_uid))
        }
    }

    /// Why `status` makes the file or directory `path` (a "plugin file" or a "directory")
    /// unsafe for `effectiveUser`, with how to fix it; nil when it is safe.
    public static func problem(_ what: String, path: String, status: Status, effectiveUser: UInt32) -> String? {
        let octal = "0" + String(status.mode & 0o7777, radix: 8)
        var writers: [String] = []
        if status.mode & UInt32(S_IWGRP) != 0 { writers.append("group") }
        if status.mode & UInt32(S_IWOTH) != 0 { writers.append("others") }
        if !writers.isEmpty {
            let fix = writers.count == 2 ? "go-w" : writers[0] == "group" ? "g-w" : "o-w"
            return "\(what) \(path) is writable by \(writers.joined(separator: " and ")) (mode \(octal)); "
                + "fix with chmod \(fix) \(path), or pass --allow-insecure"
        }
        if status.owner != effectiveUser && status.owner != 0 {
            let allowed = effectiveUser == 0 ? "not root" : "neither you (\(userName(effectiveUser))) nor root"
            return "\(what) \(path) is owned by \(userName(status.owner)), \(allowed); "
                + "fix with chown \(effectiveUser) \(path), or pass --allow-insecure"
        }
        return nil
    }

    /// The first reason the plugin file at `path` is unsafe: the file (symbolic links
    /// followed), then the directory it was found in, then the directory holding the real
    /// file. nil when all are safe. A file that cannot be looked at is left to the loader.
    public static func problem(pluginFile path: String, effectiveUser: UInt32 = UInt32(geteuid())) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return problem(pluginFile: path, fileStatus: Status(info), effectiveUser: effectiveUser)
    }

    /// As `problem(pluginFile:)`, with the file's status already known (from the descriptor
    /// the loader opened).
    public static func problem(pluginFile path: String, fileStatus: Status, effectiveUser: UInt32 = UInt32(geteuid())) -> String? {
        if let problem = problem("plugin file", path: path, status: fileStatus, effectiveUser: effectiveUser) {
            return problem
        }
        for directory in directories(holding: path) {
            var info = stat()
            guard stat(directory, &info) == 0 else { continue }
            if let problem = problem("directory", path: directory, status: Status(info), effectiveUser: effectiveUser) {
                return problem
            }
        }
        return nil
    }

    /// The directory `path` names its file in, and the real file's directory when a symbolic
    /// link leads elsewhere.
    static func directories(holding path: String) -> [String] {
        let absolute = path.hasPrefix("/") ? path
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        let found = (absolute as NSString).deletingLastPathComponent
        var result = [found.isEmpty ? "/" : found]
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            let realDirectory = (String(cString: real) as NSString).deletingLastPathComponent
            let resolvedFound = (found as NSString).resolvingSymlinksInPath
            if realDirectory != resolvedFound && realDirectory != found { result.append(realDirectory) }
        }
        return result
    }

    /// "alice (uid 1000)", or "uid 65534" for a user without a name.
    static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid_t(uid)), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return "\(String(cString: name)) (uid \(uid))"
    }
}
