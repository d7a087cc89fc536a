// swift-tools-version:6.0
import PackageDescription

/// A callback plugin bundled with the host: a folder under Plugins/, built as its own `.so`.
func swiftPlugin(_ name: String) -> (Product, Target) {
    (.library(name: name, type: .dynamic, targets: [name]),
     .target(name: name, dependencies: ["TrainerPluginSDK"], path: "Plugins/\(name)"))
}

func cPlugin(_ name: String) -> (Product, Target) {
    (.library(name: name, type: .dynamic, targets: [name]),
     .target(name: name, dependencies: ["CTrainerPlugin"], path: "Plugins/\(name)"))
}

/// A Swift plugin that also links TrainerExpression (its expression language and Python number
/// formatting), statically: each plugin's .so carries its own copy.
func swiftPluginWithExpressions(_ name: String) -> (Product, Target) {
    (.library(name: name, type: .dynamic, targets: [name]),
     .target(name: name, dependencies: ["TrainerPluginSDK", "TrainerExpression"], path: "Plugins/\(name)"))
}

let plugins = [
    // TensorBoard event files; its protobuf messages are generated code in TensorBoardProto.
    (.library(name: "TensorBoard", type: .dynamic, targets: ["TensorBoard"]),
     .target(name: "TensorBoard", dependencies: [
        "TrainerPluginSDK", "TensorBoardProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
     ], path: "Plugins/TensorBoard")),
    swiftPlugin("ProgbarLogger"),
    swiftPlugin("History"),
    cPlugin("StopAtAccuracy"),
    swiftPlugin("EarlyStopping"),
    swiftPlugin("ReduceLROnPlateau"),
    swiftPlugin("TerminateOnNaN"),
    swiftPlugin("Timer"),
    swiftPlugin("BackupAndRestore"),
    swiftPlugin("LearningCurves"),
    swiftPlugin("ClassificationReport"),
    swiftPlugin("SwapEMAWeights"),
    (.library(name: "RemoteMonitor", type: .dynamic, targets: ["RemoteMonitor"]),
     .target(name: "RemoteMonitor", dependencies: ["TrainerPluginSDK", "TrainerExpression"],
             path: "Plugins/RemoteMonitor")),
    // C + libffi: calls functions of any shared library at the hooks a run names. A C target
    // gets no autolinking from a module map's `link`, hence the explicit libraries.
    (.library(name: "LambdaCallback", type: .dynamic, targets: ["LambdaCallback"]),
     .target(name: "LambdaCallback", dependencies: ["CTrainerPlugin", "CFFI"],
             path: "Plugins/LambdaCallback", linkerSettings: [.linkedLibrary("ffi"), .linkedLibrary("dl")])),
    swiftPluginWithExpressions("LearningRateScheduler"),
    swiftPluginWithExpressions("StopWhen"),
    swiftPluginWithExpressions("CSVLogger"),
    swiftPluginWithExpressions("ModelCheckpoint"),
]

let package = Package(
    name: "trainer",
    products: [
        .executable(name: "trainer", targets: ["trainer"]),
        .library(name: "TrainerPluginSDK", targets: ["TrainerPluginSDK"]),
    ] + plugins.map(\.0),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // SHA-256 of plugin files, recorded when a plugin is enabled and checked before it loads.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The ABI: trainer_plugin.h, the only contract between host and plugins.
        .target(name: "CTrainerPlugin"),
        // System libraries.
        .systemLibrary(name: "COpenBLAS"),
        .systemLibrary(name: "CZlib"),
        .systemLibrary(name: "CFFI", providers: [.apt(["libffi-dev"])]),

        // The engine: tensors, layers, losses, optimizers, metrics, the fit loop.
        .target(name: "TrainerEngine", dependencies: ["COpenBLAS", "CTrainerKernels", "TrainerData"]),
        // The engine's hot loops over channel vectors, built for several instruction sets.
        .target(name: "CTrainerKernels"),
        // What the training process does when a plugin crashes, exits or hangs in process, and
        // on SIGINT/SIGTERM: handlers that only write, a watchdog, the interrupt flag.
        .target(name: "CTrainerGuard"),
        // Open MPI for data-parallel training, loaded with dlopen only under mpirun: building
        // needs no MPI, and a plain run never loads it.
        .target(name: "CTrainerMPI", linkerSettings: [.linkedLibrary("dl")]),
        // Data sets and their file formats.
        .target(name: "TrainerData", dependencies: ["CZlib"]),
        // Plugin discovery, loading, validation and dispatch; the host table.
        .target(name: "TrainerHost", dependencies: [
            "CTrainerPlugin", "TrainerABI", "CTrainerGuard", "SwiftToolchain", "TrainerEngine",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // A run: configuration, model building, wiring engine, data and plugins together.
        .target(name: "TrainerRun", dependencies: [
            "TrainerEngine", "TrainerData", "TrainerHost", "CTrainerGuard", "CTrainerMPI",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command line.
        .executableTarget(name: "trainer", dependencies: [
            "TrainerRun", "TrainerHost", "TrainerEngine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The Swift SDK for plugin authors. Linked into plugins, never into the host.
        .target(name: "TrainerPluginSDK", dependencies: ["CTrainerPlugin", "TrainerABI", "SwiftToolchain"]),
        // What both sides of the boundary read the ABI with: the one list of hooks, the
        // struct-size copy, the error buffer. Linked into the host and into each Swift plugin.
        .target(name: "TrainerABI", dependencies: ["CTrainerPlugin"]),
        // The Swift compiler version, as host and SDK both record it.
        .target(name: "SwiftToolchain"),
        // The expression language of plugin parameters (schedules, conditions) and Python's
        // number formatting; linked statically into the plugins that use it.
        .target(name: "TrainerExpression"),

        .testTarget(name: "TrainerEngineTests", dependencies: [
            "TrainerEngine", "TrainerData", "CTrainerKernels", "AllocationCounter",
        ]),
        // Counts calls to malloc and its kin on chosen threads, for the engine's allocation
        // tests: it replaces them for the whole test process, forwarding each call.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter", linkerSettings: [.linkedLibrary("dl")]),
        .testTarget(name: "TrainerDataTests", dependencies: ["TrainerData"]),
        .testTarget(name: "TrainerHostTests", dependencies: ["TrainerHost", "TrainerEngine", "TrainerData", "CTrainerPlugin", "PluginTestSupport"]),
        .testTarget(name: "TrainerRunTests", dependencies: ["TrainerRun"]),
        // What the plugin test targets share: loading a built plugin .so, a fake host, hook calls.
        .target(name: "PluginTestSupport", dependencies: ["CTrainerPlugin", "TrainerABI"], path: "Tests/PluginTestSupport"),
        .testTarget(name: "TrainerPluginSDKTests", dependencies: ["CTrainerPlugin", "PluginTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PluginTestSupport"]),
        .testTarget(name: "KerasParityTests", dependencies: ["PluginTestSupport"]),
        .testTarget(name: "CallbackPluginTestsA", dependencies: ["CTrainerPlugin", "PluginTestSupport"]),
        .testTarget(name: "TrainerExpressionTests", dependencies: ["TrainerExpression"]),
        .testTarget(name: "CallbackPluginTestsB", dependencies: ["CTrainerPlugin", "PluginTestSupport"]),
        .testTarget(name: "RemoteMonitorTests", dependencies: ["CTrainerPlugin", "PluginTestSupport"]),
        .testTarget(name: "LambdaCallbackTests", dependencies: ["CTrainerPlugin", "PluginTestSupport"]),
        // TensorBoard's event protobufs (Event, Summary, HistogramProto): Swift generated from
        // proto/ by scripts/generate-tensorboard-protos, committed; the build needs no protoc.
        .target(name: "TensorBoardProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["proto"]),
        .testTarget(name: "TensorBoardTests", dependencies: [
            "CTrainerPlugin", "PluginTestSupport", "TensorBoardProto",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
    ] + plugins.map(\.1),
    swiftLanguageModes: [.v5]
)

// libFuzzer targets (Fuzz/<Name>, one per reader), declared only for scripts/fuzz, which sets
// TRAINER_FUZZ=1 and builds them in .build/fuzz with -sanitize=fuzzer: `swift build` and
// `swift test` never see them. Each seeds from Fuzz/Corpus/<name>.
if Context.environment["TRAINER_FUZZ"] == "1" {
    package.targets.append(.target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"))
    for (name, module) in [("FuzzConfig", "TrainerRun"), ("FuzzIDX", "TrainerData"), ("FuzzCSV", "TrainerData"),
                           ("FuzzNPY", "TrainerData"), ("FuzzSafetensors", "TrainerEngine"),
                           ("FuzzExpression", "TrainerExpression")] {
        package.products.append(.executable(name: name, targets: [name]))
        package.targets.append(.executableTarget(name: name, dependencies: ["CFuzzDriver", .target(name: module)],
                                                 path: "Fuzz/\(name)"))
    }
}
