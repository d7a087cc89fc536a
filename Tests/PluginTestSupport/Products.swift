import Foundation
import XCTest

/// The build products directory: where SwiftPM puts the running test executable, the plugin
/// products (libHistory.so, libTensorBoard.so, ...) and the `trainer` executable. The tests load
/// the real built `.so` files from here, as the host would.
public enum Products {
    /// TRAINER_PRODUCTS_DIR when set; otherwise the directory of the running test executable,
    /// or the nearest directory above it that holds plugin products (`lib*.so`), for a test
    /// runner that lives inside a bundle directory.
    public static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        let start = URL(fileURLWithPath: executable).deletingLastPathComponent()
        var url = start
        while !holdsPluginProducts(url.path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return holdsPluginProducts(url.path) ? url.path : start.path
    }()

    private static func holdsPluginProducts(_ directory: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasPrefix("lib") && $0.hasSuffix(".so") }
    }

    /// A built plugin product, e.g. `pluginPath("History")` is .../libHistory.so. Fails the
    /// test, saying what to run, when it has not been built.
    public static func pluginPath(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = directory + "/lib\(name).so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: build the plugin products first (swift build)", file: file, line: line)
            throw HarnessError("missing product \(name)")
        }
        return path
    }
}
