import Foundation

/// Paths inside the source checkout, for tests that compile sources (C plugins, fixtures, the
/// SDK) or run the repository's scripts.
public enum Repository {
    /// The repository root (this file is Tests/PluginTestSupport/Repository.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The directory of trainer_plugin.h, the ABI header, for `cc -I`.
    public static var abiHeaderDirectory: String { root + "/Sources/CTrainerPlugin/include" }

    /// Tests/Fixtures: the fixture plugins and libraries the tests build.
    public static var fixtures: String { root + "/Tests/Fixtures" }

    /// The source folder of a bundled plugin, e.g. `pluginSources("LambdaCallback")` is
    /// .../Plugins/LambdaCallback.
    public static func pluginSources(_ name: String) -> String { root + "/Plugins/" + name }
}
