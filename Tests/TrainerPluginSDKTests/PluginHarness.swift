// A minimal host for the plugin tests: loads built plugin products with dlopen and drives them
// through the C ABI alone, as the real host does. Nothing here links the SDK.
import CTrainerPlugin
import Foundation
import XCTest

// MARK: - Where things are

enum Paths {
    /// The repository root (this file is Tests/TrainerPluginSDKTests/PluginHarness.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The directory of the ABI header, for compiling C plugins with cc.
    static var headerDirectory: String { repository + "/Sources/CTrainerPlugin/include" }

    /// The build products directory: where the running test bundle is, and where `swift build`
    /// puts libHistory.so and the other plugin products. TRAINER_PRODUCTS_DIR overrides it.
    static let products: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// A built plugin product, e.g. `product("History")` is .../libHistory.so. Fails the test
    /// with the command to run when it has not been built.
    static func product(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = products + "/lib\(name).so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: build the plugin products first (swift build)", file: file, line: line)
            throw HarnessError("missing product \(name)")
        }
        return path
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-sdk-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Compiles a C plugin with plain cc (no Swift, no SwiftPM) into `directory`.
func compileCPlugin(_ source: String, into directory: String, name: String,
                    defines: [String] = []) throws -> String {
    let output = directory + "/lib\(name).so"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cc", "-std=c11", "-Wall", "-Werror", "-shared", "-fPIC",
                         "-I", Paths.headerDirectory] + defines.map { "-D" + $0 }
        + [source, "-o", output]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw HarnessError("cc failed for \(source):\n\(message)")
    }
    return output
}

// MARK: - A fake host

/// The host table a plugin instance gets, backed by this object through `host_data`.
/// It records what the plugin asks for.
final class FakeHost {
    var run: trainer_run_params_t
    var failRunParameters = false
    var learningRate = 0.01
    private(set) var stopRequests = 0
    private(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    let table: UnsafeMutablePointer<trainer_host_t>
    private let runDirectory: UnsafeMutablePointer<CChar>
    private var snapshots: Set<Int64> = []
    private let weightName = strdup("dense/kernel")!
    private let weightShape: UnsafeMutablePointer<Int64> = {
        let shape = UnsafeMutablePointer<Int64>.allocate(capacity: 2)
        shape.initialize(from: [2, 3], count: 2)
        return shape
    }()
    private let weightData: UnsafeMutablePointer<Float> = {
        let data = UnsafeMutablePointer<Float>.allocate(capacity: 6)
        data.initialize(from: [0, 1, 2, 3, 4, 5], count: 6)
        return data
    }()
    private let evaluationNames = [strdup("loss")!, strdup("accuracy")!]
    private let evaluationItems = UnsafeMutablePointer<trainer_log_item_t>.allocate(capacity: 2)
    private let evaluation = UnsafeMutablePointer<trainer_logs_t>.allocate(capacity: 1)

    init(runDirectory: String = "", epochs: Int = 3, steps: Int = 10, batchSize: Int = 32,
         samples: Int = 320, verbose: Int = 1, validationSamples: Int = 0) {
        self.runDirectory = strdup(runDirectory)!
        run = trainer_run_params_t()
        run.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
        run.verbose = Int32(verbose)
        run.epochs = Int64(epochs)
        run.steps = Int64(steps)
        run.batch_size = Int64(batchSize)
        run.samples = Int64(samples)
        run.run_dir = UnsafePointer(self.runDirectory)
        run.validation_samples = Int64(validationSamples)

        table = .allocate(capacity: 1)
        evaluationItems.initialize(from: [
            trainer_log_item_t(name: UnsafePointer(evaluationNames[0]), value: 0.25),
            trainer_log_item_t(name: UnsafePointer(evaluationNames[1]), value: 0.5),
        ], count: 2)
        evaluation.initialize(to: trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size),
                                                 count: 2, items: UnsafePointer(evaluationItems)))
        table.initialize(to: trainer_host_t())
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR),
                                                  minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.stop_training = { host in FakeHost.of(host).stopRequests += 1 }
        table.pointee.get_learning_rate = { host in FakeHost.of(host).learningRate }
        table.pointee.set_learning_rate = { host, rate in
            guard rate.isFinite, rate >= 0 else { return trainer_status_t(TRAINER_STATUS_ERROR) }
            FakeHost.of(host).learningRate = rate
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        table.pointee.get_run_params = { host, out in
            let fake = FakeHost.of(host)
            guard let out, !fake.failRunParameters else { return trainer_status_t(TRAINER_STATUS_ERROR) }
            let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
            withUnsafeBytes(of: fake.run) { source in
                UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: size)
            }
            out.pointee.struct_size = UInt32(size)
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        // One snapshot id (7), one weight tensor, an evaluation, and a save that fails.
        table.pointee.snapshot_weights = { host in
            let fake = FakeHost.of(host)
            fake.snapshots.insert(7)
            return 7
        }
        table.pointee.restore_weights = { host, id in
            FakeHost.of(host).snapshots.contains(id) ? statusOK : statusError
        }
        table.pointee.release_snapshot = { host, id in FakeHost.of(host).snapshots.remove(id) }
        table.pointee.weight_count = { _ in 1 }
        table.pointee.get_weight = { host, index, out in
            guard index == 0, let out else { return statusError }
            let fake = FakeHost.of(host)
            var view = trainer_tensor_view_t()
            view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
            view.rank = 2
            view.name = UnsafePointer(fake.weightName)
            view.shape = UnsafePointer(fake.weightShape)
            view.data = UnsafePointer(fake.weightData)
            view.element_count = 6
            out.pointee = view
            return statusOK
        }
        table.pointee.save_weights = { _, _, error, size in
            if let error, size > 0 { _ = strncpy(error, "disk full", size - 1) }
            return statusError
        }
        table.pointee.load_weights = { _, _, _, _ in statusError }
        table.pointee.evaluate = { host, out in
            let fake = FakeHost.of(host)
            out?.pointee = UnsafePointer(fake.evaluation)
            return statusOK
        }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
        table.pointee.get_extension = { _, _ in nil }
        let name = "fake-host", version = "0.0.0"
        table.pointee.host_name = UnsafePointer(strdup(name))
        table.pointee.host_version = UnsafePointer(strdup(version))
    }

    deinit {
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_name))
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_version))
        table.deallocate()
        free(runDirectory)
        free(weightName)
        weightShape.deallocate()
        weightData.deallocate()
        evaluationNames.forEach { free($0) }
        evaluationItems.deallocate()
        evaluation.deallocate()
    }

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }
}

// MARK: - A loaded plugin

/// A parameter value as a run's configuration would give it.
enum TestValue {
    case none, bool(Bool), int(Int), double(Double), string(String)
}

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct LoadedPlugin {
    let path: String
    let handle: UnsafeMutableRawPointer
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    init(_ path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError("dlopen \(path): \(String(cString: dlerror()))")
        }
        self.handle = handle
        guard let entry = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL) else {
            throw HarnessError("\(path) has no \(TRAINER_PLUGIN_ENTRY_SYMBOL)")
        }
        typealias Entry = @convention(c) () -> UnsafeRawPointer?
        guard let raw = unsafeBitCast(entry, to: Entry.self)() else {
            throw HarnessError("\(path): the entry function returned NULL")
        }
        descriptor = raw.assumingMemoryBound(to: trainer_plugin_descriptor_t.self)
    }

    var id: String { string(descriptor.pointee.id) }
    var hooks: trainer_hooks_t { descriptor.pointee.hooks!.pointee }

    /// The schema, in order.
    var specs: [trainer_param_spec_t] {
        (0..<Int(descriptor.pointee.param_count)).map { descriptor.pointee.params![$0]!.pointee }
    }

    func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }

    /// Calls `create` the way the host does: one value for every parameter of the schema, in
    /// schema order, defaults filled in, an int given for a double converted.
    func create(host: FakeHost, _ overrides: [String: TestValue] = [:],
                errorSize: Int = 512) -> Result<UnsafeMutableRawPointer?, HarnessError> {
        var names: [UnsafePointer<CChar>?] = []
        var values: [trainer_value_t] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        for spec in specs {
            names.append(spec.name)
            var value = spec.default_value
            if let given = overrides[string(spec.name)] {
                value = trainer_value_t()
                switch given {
                case .none: value.type = trainer_value_type_t(TRAINER_VALUE_NONE)
                case .bool(let b): value.type = trainer_value_type_t(TRAINER_VALUE_BOOL); value.int_value = b ? 1 : 0
                case .int(let i) where spec.type == TRAINER_VALUE_DOUBLE:
                    value.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE); value.double_value = Double(i)
                case .int(let i): value.type = trainer_value_type_t(TRAINER_VALUE_INT); value.int_value = Int64(i)
                case .double(let d): value.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE); value.double_value = d
                case .string(let s):
                    let copy = strdup(s)!
                    strings.append(copy)
                    value.type = trainer_value_type_t(TRAINER_VALUE_STRING); value.string_value = UnsafePointer(copy)
                }
            }
            values.append(value)
        }
        return names.withUnsafeBufferPointer { namesBuffer in
            values.withUnsafeBufferPointer { valuesBuffer in
                var params = trainer_param_values_t(
                    struct_size: UInt32(MemoryLayout<trainer_param_values_t>.size),
                    count: UInt32(names.count),
                    names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                var instance: UnsafeMutableRawPointer?
                var error = [CChar](repeating: 0x7F, count: errorSize + 1)
                let status = descriptor.pointee.create!(UnsafePointer(host.table), &params, &instance,
                                                        &error, errorSize)
                // The plugin writes at most errorSize bytes: the sentinel after them is intact.
                precondition(error[errorSize] == 0x7F, "create wrote past the error buffer")
                if status == TRAINER_STATUS_OK { return .success(instance) }
                return .failure(HarnessError(String(cString: error)))
            }
        }
    }

    func destroy(_ instance: UnsafeMutableRawPointer?) {
        descriptor.pointee.destroy!(instance)
    }

    /// Calls a hook without an index; a plugin without it is not called (status OK), as the
    /// host does.
    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(instance, $0) }
    }

    /// Calls a hook that takes an epoch or batch index.
    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ index: Int, _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(instance, Int64(index), $0) }
    }

    /// save_state through a sink that collects the bytes.
    func saveState(_ instance: UnsafeMutableRawPointer?) -> [UInt8]? {
        final class Collected { var bytes: [UInt8] = [] }
        let collected = Collected()
        var sink = trainer_byte_sink_t()
        sink.struct_size = UInt32(MemoryLayout<trainer_byte_sink_t>.size)
        sink.sink_data = Unmanaged.passUnretained(collected).toOpaque()
        sink.write = { sink, bytes, size in
            let collected = Unmanaged<Collected>.fromOpaque(sink!.pointee.sink_data!).takeUnretainedValue()
            collected.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: size))
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        let status = withExtendedLifetime(collected) { descriptor.pointee.save_state!(instance, &sink) }
        return status == TRAINER_STATUS_OK ? collected.bytes : nil
    }

    func loadState(_ instance: UnsafeMutableRawPointer?, _ bytes: [UInt8]) -> trainer_status_t {
        bytes.withUnsafeBytes { descriptor.pointee.load_state!(instance, $0.baseAddress, $0.count) }
    }
}

/// Borrowed logs for one call, as the host passes them.
func withLogs<R>(_ pairs: [(String, Double)], _ body: (UnsafePointer<trainer_logs_t>) -> R) -> R {
    let names = pairs.map { strdup($0.0)! }
    defer { names.forEach { free($0) } }
    let items = zip(names, pairs).map { trainer_log_item_t(name: UnsafePointer($0), value: $1.1) }
    return items.withUnsafeBufferPointer { buffer in
        var logs = trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size),
                                  count: UInt32(items.count),
                                  items: items.isEmpty ? nil : buffer.baseAddress)
        return body(&logs)
    }
}

func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

let statusOK = trainer_status_t(TRAINER_STATUS_OK)
let statusError = trainer_status_t(TRAINER_STATUS_ERROR)

/// Every hook slot of the table, by its C name.
let plainHooks: [(String, KeyPath<trainer_hooks_t, trainer_hook_fn?>)] = [
    ("on_train_begin", \.on_train_begin), ("on_train_end", \.on_train_end),
    ("on_test_begin", \.on_test_begin), ("on_test_end", \.on_test_end),
    ("on_predict_begin", \.on_predict_begin), ("on_predict_end", \.on_predict_end),
]
let indexedHooks: [(String, KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>)] = [
    ("on_epoch_begin", \.on_epoch_begin), ("on_epoch_end", \.on_epoch_end),
    ("on_train_batch_begin", \.on_train_batch_begin), ("on_train_batch_end", \.on_train_batch_end),
    ("on_test_batch_begin", \.on_test_batch_begin), ("on_test_batch_end", \.on_test_batch_end),
    ("on_predict_batch_begin", \.on_predict_batch_begin), ("on_predict_batch_end", \.on_predict_batch_end),
]

extension LoadedPlugin {
    /// The C names of the hooks this plugin provides.
    var providedHooks: Set<String> {
        let table = hooks
        return Set(plainHooks.filter { table[keyPath: $0.1] != nil }.map(\.0)
                   + indexedHooks.filter { table[keyPath: $0.1] != nil }.map(\.0))
    }
}
