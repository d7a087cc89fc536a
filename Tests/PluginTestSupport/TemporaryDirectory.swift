import Foundation

/// Scratch directories for a test's files (run directories, compiled fixtures, logs).
public enum TemporaryDirectory {
    /// Creates a new, empty directory under the system's temporary directory, with mode 0755
    /// (see `FileModes`), and returns its path. The test removes it when done (usually in
    /// tearDown).
    public static func create() throws -> String {
        FileModes.useOwnerWritableUmask()
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-plugin-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileModes.set(dir)
        return dir
    }
}
