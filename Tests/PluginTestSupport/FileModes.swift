import Foundation

/// Plugin files and directories the tests make, with the modes a user's own files have
/// (0755): the host refuses a plugin file, or its directory, that group or others can write,
/// so a test must not depend on the umask it was started with (CI's is unknown).
public enum FileModes {
    /// Sets this process's umask to 022 (once; children inherit it), so that every file and
    /// directory a test creates afterwards, and every compiler or build a test starts, is
    /// writable by its owner alone.
    public static func useOwnerWritableUmask() {
        _ = standardUmask
    }

    private static let standardUmask: Void = { _ = umask(0o022) }()

    /// Gives `path` the mode `mode` (0755 unless told), throwing when it cannot.
    public static func set(_ path: String, _ mode: mode_t = 0o755) throws {
        guard chmod(path, mode) == 0 else {
            throw HarnessError("chmod \(String(mode, radix: 8)) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
