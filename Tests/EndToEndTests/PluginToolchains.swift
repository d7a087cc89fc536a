import Foundation
import PluginTestSupport
import XCTest

/// The compilers the plugin author's kit is tested with, found as an author's shell finds them.
enum PluginToolchains {
    /// `cargo` on PATH, else in ~/.cargo/bin (rustup's default); skips the test without one
    /// (scripts/install-deps --test installs Debian's).
    static func cargo() throws -> String {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if let home = ProcessInfo.processInfo.environment["HOME"] { directories.append(home + "/.cargo/bin") }
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/cargo") {
            return directory + "/cargo"
        }
        throw XCTSkip("cargo is not installed (scripts/install-deps --test installs it)")
    }

    /// A directory beside the build products for builds the tests repeat (cargo's target
    /// directory, SwiftPM's scratch path): a second run of the suite reuses what the first built.
    static func scratch(_ name: String) -> String {
        URL(fileURLWithPath: TrainerExecutable.path).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("kit-tests/\(name)").path
    }

    /// The canonical form of a path (symbolic links resolved), as /proc/self/exe gives it.
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
