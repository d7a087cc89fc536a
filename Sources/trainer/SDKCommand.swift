import ArgumentParser
import TrainerRun

/// `trainer sdk`: where the plugin author's kit is (headers, Swift package, Rust crate).
struct SDKCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdk",
        abstract: "Print where the plugin SDK is: C headers, Swift package, Rust crate, with the ABI version.",
        discussion: """
            Found relative to this trainer binary: in an install (<prefix>/include/trainer, \
            <prefix>/share/trainer/swift-sdk, <prefix>/share/trainer/rust/trainer-plugin) or in the \
            repository of a build tree (Sources/CTrainerPlugin/include, sdk/swift, sdk/rust/trainer-plugin). \
            Example: cc -shared -fPIC $(trainer sdk --cflags) my_plugin.c -o libMyPlugin.so
            """)

    @Flag(help: "Print only -I<directory holding trainer_plugin.h>.")
    var cflags = false

    @Flag(name: .customLong("swift-package"), help: "Print only the path of the Swift SDK package.")
    var swiftPackage = false

    @Flag(name: .customLong("rust-crate"), help: "Print only the path of the Rust crate trainer-plugin.")
    var rustCrate = false

    @Flag(help: "Print only the plugin ABI version (major.minor).")
    var abi = false

    func validate() throws {
        if [cflags, swiftPackage, rustCrate, abi].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --cflags, --swift-package, --rust-crate, --abi")
        }
    }

    func run() throws {
        if abi { return print(SDKLocation.abiVersion) }
        let sdk = try SDKLocation.find()
        if cflags {
            print(sdk.cflags)
        } else if swiftPackage {
            print(sdk.swiftPackage)
        } else if rustCrate {
            guard let crate = sdk.rustCrate else {
                throw UsageProblem("this \(sdk.layout.rawValue) (\(sdk.root)) has no Rust crate trainer-plugin")
            }
            print(crate)
        } else {
            print(sdk.summary())
        }
    }
}
