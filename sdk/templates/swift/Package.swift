// swift-tools-version:6.0
// @NAME@: a trainer callback plugin in Swift. Build with `swift build -c release`; see README.md.
// The SDK is a package with no dependencies of its own (`trainer sdk --swift-package`), so the
// build needs no network.
import PackageDescription

let package = Package(
    name: "@NAME@",
    products: [.library(name: "@NAME@", type: .dynamic, targets: ["@NAME@"])],
    dependencies: [.package(name: "TrainerPluginSDK", path: "@SWIFT_SDK@")],
    targets: [
        .target(name: "@NAME@", dependencies: [.product(name: "TrainerPluginSDK", package: "TrainerPluginSDK")]),
    ],
    swiftLanguageModes: [.v5]
)
