// A small host for the TensorBoard plugin tests: loads the built libTensorBoard.so with dlopen
// and drives it through the C ABI alone, as the real host does. Nothing here links the SDK or
// the plugin.
import CTrainerPlugin
import Foundation
import XCTest

enum Paths {
    /// The repository root (this file is Tests/TensorBoardTests/Harness.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Where the running test bundle is, and where `swift build` puts libTensorBoard.so.
    /// TRAINER_PRODUCTS_DIR overrides it.
    static let products: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// The built plugin, loaded once per test process (plugins are never unloaded).
    static func plugin(file: StaticString = #filePath, line: UInt = #line) throws -> LoadedPlugin {
        let path = products + "/libTensorBoard.so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: build the plugin products first (swift build)", file: file, line: line)
            throw HarnessError("missing libTensorBoard.so")
        }
        return try LoadedPlugin(path)
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-tensorboard-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One weight tensor the fake host shows.
struct FakeWeight {
    var name: String
    var shape: [Int64]
    var values: [Float]
}

/// The host table a plugin instance gets, backed by this object through `host_data`: run
/// parameters, a learning rate, weight views, and a log that records messages.
final class FakeHost {
    var learningRate = 0.001
    /// Replaced between hooks to simulate training; views are rebuilt on every get_weight.
    var weights: [FakeWeight]
    /// get_weight fails (a host that counts weights but cannot show them).
    var failWeights = false
    private(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    let table: UnsafeMutablePointer<trainer_host_t>
    private var run: trainer_run_params_t
    private let runDirectory: UnsafeMutablePointer<CChar>
    private var viewStorage: [(name: UnsafeMutablePointer<CChar>, shape: UnsafeMutableBufferPointer<Int64>,
                               data: UnsafeMutableBufferPointer<Float>)] = []

    init(runDirectory: String, epochs: Int = 3, steps: Int = 4, weights: [FakeWeight] = []) {
        self.weights = weights
        self.runDirectory = strdup(runDirectory)!
        run = trainer_run_params_t()
        run.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
        run.verbose = 0
        run.epochs = Int64(epochs)
        run.steps = Int64(steps)
        run.batch_size = 32
        run.samples = Int64(steps * 32)
        run.run_dir = UnsafePointer(self.runDirectory)
        run.validation_samples = 64

        table = .allocate(capacity: 1)
        table.initialize(to: trainer_host_t())
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.host_name = UnsafePointer(strdup("fake-host"))
        table.pointee.host_version = UnsafePointer(strdup("0.0.0"))
        table.pointee.get_learning_rate = { host in FakeHost.of(host).learningRate }
        table.pointee.get_run_params = { host, out in
            guard let out else { return statusError }
            let fake = FakeHost.of(host)
            let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
            withUnsafeBytes(of: fake.run) { source in
                UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: size)
            }
            out.pointee.struct_size = UInt32(size)
            return statusOK
        }
        table.pointee.weight_count = { host in Int64(FakeHost.of(host).weights.count) }
        table.pointee.get_weight = { host, index, out in
            let fake = FakeHost.of(host)
            guard let out, index >= 0, index < fake.weights.count, !fake.failWeights else { return statusError }
            let view = fake.view(Int(index))
            out.pointee = view
            return statusOK
        }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
        table.pointee.get_extension = { _, _ in nil }
    }

    deinit {
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_name))
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_version))
        table.deallocate()
        free(runDirectory)
        releaseViews()
    }

    /// A view of weight `index`, kept alive until the weights change or the host goes away.
    private func view(_ index: Int) -> trainer_tensor_view_t {
        if viewStorage.count != weights.count {
            releaseViews()
            for weight in weights {
                let shape = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(weight.shape.count, 1))
                _ = shape.initialize(from: weight.shape)
                let data = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(weight.values.count, 1))
                _ = data.initialize(from: weight.values)
                viewStorage.append((strdup(weight.name)!, shape, data))
            }
        }
        let weight = weights[index]
        let storage = viewStorage[index]
        // Values may have changed since the views were made ("training").
        for (i, value) in weight.values.enumerated() { storage.data[i] = value }
        var view = trainer_tensor_view_t()
        view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
        view.rank = UInt32(weight.shape.count)
        view.name = UnsafePointer(storage.name)
        view.shape = UnsafePointer(storage.shape.baseAddress)
        view.data = UnsafePointer(storage.data.baseAddress)
        view.element_count = Int64(weight.values.count)
        return view
    }

    private func releaseViews() {
        for storage in viewStorage {
            free(storage.name)
            storage.shape.deallocate()
            storage.data.deallocate()
        }
        viewStorage = []
    }

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }
}

/// A parameter value as a run's configuration would give it.
enum TestValue {
    case none, bool(Bool), int(Int), string(String)
}

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct LoadedPlugin {
    let handle: UnsafeMutableRawPointer
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    init(_ path: String) throws {
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

    var hooks: trainer_hooks_t { descriptor.pointee.hooks!.pointee }

    var specs: [trainer_param_spec_t] {
        (0..<Int(descriptor.pointee.param_count)).map { descriptor.pointee.params![$0]!.pointee }
    }

    func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }

    /// Calls `create` as the host does: a value for every parameter of the schema, in schema
    /// order, defaults filled in.
    func create(host: FakeHost, _ overrides: [String: TestValue] = [:]) -> Result<UnsafeMutableRawPointer?, HarnessError> {
        var names: [UnsafePointer<CChar>?] = []
        var values: [trainer_value_t] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        for spec in specs {
            names.append(spec.name)
            var value = spec.default_value
            if let given = overrides[String(cString: spec.name)] {
                value = trainer_value_t()
                switch given {
                case .none: value.type = trainer_value_type_t(TRAINER_VALUE_NONE)
                case .bool(let b): value.type = trainer_value_type_t(TRAINER_VALUE_BOOL); value.int_value = b ? 1 : 0
                case .int(let i): value.type = trainer_value_type_t(TRAINER_VALUE_INT); value.int_value = Int64(i)
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
                    count: UInt32(names.count), names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                var instance: UnsafeMutableRawPointer?
                var error = [CChar](repeating: 0, count: 512)
                let status = descriptor.pointee.create!(UnsafePointer(host.table), &params, &instance, &error, 512)
                if status == TRAINER_STATUS_OK { return .success(instance) }
                return .failure(HarnessError(String(cString: error)))
            }
        }
    }

    func destroy(_ instance: UnsafeMutableRawPointer?) {
        descriptor.pointee.destroy!(instance)
    }

    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return statusOK }
        return withLogs(logs) { function(instance, $0) }
    }

    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ index: Int, _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return statusOK }
        return withLogs(logs) { function(instance, Int64(index), $0) }
    }

    func saveState(_ instance: UnsafeMutableRawPointer?) -> [UInt8]? {
        final class Collected { var bytes: [UInt8] = [] }
        let collected = Collected()
        var sink = trainer_byte_sink_t()
        sink.struct_size = UInt32(MemoryLayout<trainer_byte_sink_t>.size)
        sink.sink_data = Unmanaged.passUnretained(collected).toOpaque()
        sink.write = { sink, bytes, size in
            let collected = Unmanaged<Collected>.fromOpaque(sink!.pointee.sink_data!).takeUnretainedValue()
            collected.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: size))
            return statusOK
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
                                  count: UInt32(items.count), items: items.isEmpty ? nil : buffer.baseAddress)
        return body(&logs)
    }
}

let statusOK = trainer_status_t(TRAINER_STATUS_OK)
let statusError = trainer_status_t(TRAINER_STATUS_ERROR)
