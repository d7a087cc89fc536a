// swift-tools-version:6.0
// trainer's Swift SDK for plugin authors, as a package of its own: the ABI header
// (CTrainerPlugin), the SDK (TrainerPluginSDK), what it shares with the host (TrainerABI) and
// the toolchain stamp it records (SwiftToolchain), with no other dependency, so a plugin package that depends on it by path
// resolves without a network. In this repository its Sources are links to the ones the host
// package builds; an install copies them.
//
//   dependencies: [.package(name: "TrainerPluginSDK", path: "<this directory>")],
//   .target(name: "MyPlugin", dependencies: [.product(name: "TrainerPluginSDK", package: "TrainerPluginSDK")])
import PackageDescription

let package = Package(
    name: "TrainerPluginSDK",
    products: [.library(name: "TrainerPluginSDK", targets: ["TrainerPluginSDK"])],
    targets: [
        .target(name: "CTrainerPlugin"),
        .target(name: "SwiftToolchain"),
        .target(name: "TrainerABI", dependencies: ["CTrainerPlugin"]),
        .target(name: "TrainerPluginSDK", dependencies: ["CTrainerPlugin", "TrainerABI", "SwiftToolchain"]),
    ],
    swiftLanguageModes: [.v5]
)
