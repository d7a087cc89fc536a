// swift-tools-version:6.0
// A callback plugin in its own package, built against trainer's Swift SDK alone:
//   swift build -c release
//   cp .build/release/libStopAtLoss.so ~/.local/share/trainer/plugins/
//   trainer train --plugin StopAtLoss --set threshold=0.4
// Outside this repository, depend on it by URL instead of by path:
//   .package(url: "https://github.com/<owner>/trainer", branch: "main")
import PackageDescription

let package = Package(
    name: "StopAtLoss",
    products: [.library(name: "StopAtLoss", type: .dynamic, targets: ["StopAtLoss"])],
    dependencies: [.package(name: "trainer", path: "../..")],
    targets: [
        .target(name: "StopAtLoss", dependencies: [.product(name: "TrainerPluginSDK", package: "trainer")]),
    ]
)
