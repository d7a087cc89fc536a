import CTrainerPlugin
import Foundation
import TrainerHost

/// Where the plugin author's kit is, as `trainer sdk` prints it: the C headers, the Swift SDK
/// package, the Rust crate and the bundled plugins, found relative to the `trainer` binary,
/// either in an install (`<prefix>/bin/trainer`, laid out by scripts/install) or in a build
/// tree (`<repository>/.build/<triple>/<configuration>/trainer`).
public struct SDKLocation: Equatable, Sendable {
    public enum Layout: String, Sendable {
        case install
        case buildTree = "build tree"
    }

    public var layout: Layout
    /// The install prefix or the repository root.
    public var root: String
    /// The directory holding trainer_plugin.h and trainer_plugin_helpers.h.
    public var includeDirectory: String
    /// The Swift SDK package, for `.package(name: "TrainerPluginSDK", path: ...)`.
    public var swiftPackage: String
    /// The Rust crate `trainer-plugin`, for `trainer-plugin = { path = ... }`; nil when absent.
    public var rustCrate: String?
    /// The directory of trainer-plugin.pc (installs only).
    public var pkgConfigDirectory: String?
    /// The bundled plugins.
    public var pluginsDirectory: String
    /// The project templates of `trainer plugins new` (one folder per language).
    public var templatesDirectory: String

    /// The ABI version of the headers, "major.minor".
    public static var abiVersion: String { "\(TRAINER_ABI_MAJOR).\(TRAINER_ABI_MINOR)" }

    /// `-I<include directory>`.
    public var cflags: String { "-I" + includeDirectory }

    /// Relative to a prefix: where scripts/install puts each part.
    public enum InstallLayout {
        public static let include = "include/trainer"
        public static let swiftPackage = "share/trainer/swift-sdk"
        public static let rustCrate = "share/trainer/rust/trainer-plugin"
        public static let pkgConfig = "lib/pkgconfig"
        public static let plugins = PluginSearchPath.installedPluginsSubdirectory
        public static let templates = "share/trainer/templates"
    }

    /// The kit of the `trainer` binary in `executableDirectory`: an install when
    /// `../include/trainer/trainer_plugin.h` and the Swift package exist, else the repository
    /// found up to four directories above it. Throws, naming where it looked, when neither.
    public static func find(executableDirectory: String? = PluginSearchPath.executableDirectory()) throws -> SDKLocation {
        guard let executableDirectory else {
            throw UsageProblem("cannot tell where the trainer binary is (/proc/self/exe), so not where its SDK is")
        }
        let files = FileManager.default
        let prefix = (executableDirectory as NSString).deletingLastPathComponent
        func inPrefix(_ part: String) -> String { (prefix as NSString).appendingPathComponent(part) }
        if files.fileExists(atPath: inPrefix(InstallLayout.include) + "/trainer_plugin.h"),
           files.fileExists(atPath: inPrefix(InstallLayout.swiftPackage) + "/Package.swift") {
            let rust = inPrefix(InstallLayout.rustCrate)
            return SDKLocation(layout: .install, root: prefix, includeDirectory: inPrefix(InstallLayout.include),
                               swiftPackage: inPrefix(InstallLayout.swiftPackage),
                               rustCrate: files.fileExists(atPath: rust + "/Cargo.toml") ? rust : nil,
                               pkgConfigDirectory: inPrefix(InstallLayout.pkgConfig),
                               pluginsDirectory: inPrefix(InstallLayout.plugins),
                               templatesDirectory: inPrefix(InstallLayout.templates))
        }
        var candidate = executableDirectory
        for _ in 0..<5 {
            candidate = (candidate as NSString).deletingLastPathComponent
            let include = candidate + "/Sources/CTrainerPlugin/include"
            if files.fileExists(atPath: include + "/trainer_plugin.h"),
               files.fileExists(atPath: candidate + "/sdk/swift/Package.swift") {
                let rust = candidate + "/sdk/rust/trainer-plugin"
                return SDKLocation(layout: .buildTree, root: candidate, includeDirectory: include,
                                   swiftPackage: candidate + "/sdk/swift",
                                   rustCrate: files.fileExists(atPath: rust + "/Cargo.toml") ? rust : nil,
                                   pkgConfigDirectory: nil, pluginsDirectory: executableDirectory,
                                   templatesDirectory: candidate + "/sdk/templates")
            }
            if candidate == "/" { break }
        }
        throw UsageProblem("no plugin SDK next to \(executableDirectory)/trainer: looked for "
            + "\(inPrefix(InstallLayout.include))/trainer_plugin.h (an install, scripts/install) and for a "
            + "repository (Sources/CTrainerPlugin/include, sdk/swift) above it (a build tree)")
    }

    /// What plain `trainer sdk` prints: every part, one per line, with the ABI version.
    public func summary() -> String {
        var lines = [
            "\(SystemReport.version), plugin ABI \(SDKLocation.abiVersion) (\(layout.rawValue): \(root))",
            "C headers:     \(includeDirectory)   (cflags: \(cflags))",
        ]
        if let pkgConfigDirectory {
            lines.append("pkg-config:    \(pkgConfigDirectory)/trainer-plugin.pc   (PKG_CONFIG_PATH=\(pkgConfigDirectory))")
        }
        lines.append("Swift package: \(swiftPackage)")
        lines.append("Rust crate:    \(rustCrate ?? "(not present)")")
        lines.append("Plugins:       \(pluginsDirectory)")
        lines.append("Templates:     \(templatesDirectory)   (trainer plugins new NAME --lang c|swift|rust)")
        return lines.joined(separator: "\n")
    }
}
