// swift-tools-version:6.0
// A callback plugin in its own package, built against trainer's Swift SDK alone:
//   swift build -c release
//   cp .build/release/libStopAtLoss.so ~/.local/share/trainer/plugins/
//   trainer train --plugin StopAtLoss --set threshold=0.4
// The SDK (sdk/swift in trainer's repository) is a package with no dependencies of its own;
// outside this repository, point the path at a checkout of it.
import PackageDescription

let package = Package(
    name: "StopAtLoss",
    products: [.library(name: "StopAtLoss", type: .dynamic, targets: ["StopAtLoss"])],
    dependencies: [.package(name: "TrainerPluginSDK", path: "../../sdk/swift")],
    targets: [
        .target(name: "StopAtLoss", dependencies: [.product(name: "TrainerPluginSDK", package: "TrainerPluginSDK")]),
    ]
)
