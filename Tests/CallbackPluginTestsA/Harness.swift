// A small host for the callback plugin tests: loads the built plugin products with dlopen and
// drives them through the C ABI alone, as the real host does. Nothing here links the SDK or
// the plugins. (The same approach as Tests/TrainerPluginSDKTests/PluginHarness.swift, with a
// host whose weights, snapshots, learning rate and reports behave like the real one's.)
import CTrainerPlugin
import Foundation
import XCTest

// MARK: - Where things are

enum Paths {
    /// The build products directory: where the running test bundle is, and where `swift build`
    /// puts libEarlyStopping.so and the other plugin products. TRAINER_PRODUCTS_DIR overrides it.
    static let products: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// A built plugin product, e.g. `product("Timer")` is .../libTimer.so. Fails the test with
    /// the command to run when it has not been built.
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
            .appendingPathComponent("trainer-callback-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

let statusOK = trainer_status_t(TRAINER_STATUS_OK)
let statusError = trainer_status_t(TRAINER_STATUS_ERROR)

// MARK: - A fake host

/// The host table a plugin instance gets, backed by this object through `host_data`.
///
/// The model has two weight tensors whose every value is `weightMark`: a test sets it to the
/// epoch number, so a restore shows which epoch's weights came back. Snapshots, save and load
/// work (weights files are real safetensors files); the learning rate is held in float32 as
/// Keras and the real host hold it; "trainer.report/1" records what the plugin reports.
final class FakeHost {
    var run: trainer_run_params_t
    /// Kept in float32, as the real host keeps it.
    var learningRate: Float = 0.01
    private(set) var stopRequests = 0
    private(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    private(set) var reports: [String: Double] = [:]
    private(set) var liveSnapshots: [Int64: [[Float]]] = [:]
    private(set) var restores = 0
    let table: UnsafeMutablePointer<trainer_host_t>
    private let runDirectory: UnsafeMutablePointer<CChar>
    private var nextSnapshot: Int64 = 1

    /// The weights: "dense/kernel" [2, 3] and "dense/bias" [3].
    private static let names = ["dense/kernel", "dense/bias"]
    private static let shapes: [[Int64]] = [[2, 3], [3]]
    private let nameStrings = FakeHost.names.map { strdup($0)! }
    private let shapeBuffers: [UnsafeMutablePointer<Int64>] = FakeHost.shapes.map { shape in
        let buffer = UnsafeMutablePointer<Int64>.allocate(capacity: shape.count)
        buffer.initialize(from: shape, count: shape.count)
        return buffer
    }
    private let data: [UnsafeMutablePointer<Float>] = FakeHost.shapes.map { shape in
        let count = Int(shape.reduce(1, *))
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: -1, count: count)
        return buffer
    }

    init(runDirectory: String = "", epochs: Int = 10, steps: Int = 10) {
        self.runDirectory = strdup(runDirectory)!
        run = trainer_run_params_t()
        run.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
        run.verbose = 1
        run.epochs = Int64(epochs)
        run.steps = Int64(steps)
        run.batch_size = 32
        run.samples = Int64(32 * steps)
        run.run_dir = UnsafePointer(self.runDirectory)

        table = .allocate(capacity: 1)
        table.initialize(to: trainer_host_t())
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.host_name = UnsafePointer(strdup("fake-host"))
        table.pointee.host_version = UnsafePointer(strdup("0.0.0"))
        table.pointee.stop_training = { host in FakeHost.of(host).stopRequests += 1 }
        table.pointee.get_learning_rate = { host in Double(FakeHost.of(host).learningRate) }
        table.pointee.set_learning_rate = { host, rate in
            guard rate.isFinite, rate >= 0 else { return statusError }
            FakeHost.of(host).learningRate = Float(rate)
            return statusOK
        }
        table.pointee.get_run_params = { host, out in
            guard let out else { return statusError }
            let fake = FakeHost.of(host)
            let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
            withUnsafeBytes(of: fake.run) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: size) }
            out.pointee.struct_size = UInt32(size)
            return statusOK
        }
        table.pointee.snapshot_weights = { host in
            let fake = FakeHost.of(host)
            let id = fake.nextSnapshot
            fake.nextSnapshot += 1
            fake.liveSnapshots[id] = fake.currentWeights()
            return id
        }
        table.pointee.restore_weights = { host, id in
            let fake = FakeHost.of(host)
            guard let weights = fake.liveSnapshots[id] else { return statusError }
            fake.setWeights(weights)
            fake.restores += 1
            return statusOK
        }
        table.pointee.release_snapshot = { host, id in FakeHost.of(host).liveSnapshots[id] = nil }
        table.pointee.weight_count = { _ in Int64(FakeHost.names.count) }
        table.pointee.get_weight = { host, index, out in
            let fake = FakeHost.of(host)
            guard let out, index >= 0, index < Int64(FakeHost.names.count) else { return statusError }
            let i = Int(index)
            var view = trainer_tensor_view_t()
            view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
            view.rank = UInt32(FakeHost.shapes[i].count)
            view.name = UnsafePointer(fake.nameStrings[i])
            view.shape = UnsafePointer(fake.shapeBuffers[i])
            view.data = UnsafePointer(fake.data[i])
            view.element_count = FakeHost.shapes[i].reduce(1, *)
            out.pointee = view
            return statusOK
        }
        table.pointee.save_weights = { host, path, error, size in
            FakeHost.of(host).saveWeights(to: String(cString: path!), error: error, size: size)
        }
        table.pointee.load_weights = { host, path, error, size in
            FakeHost.of(host).loadWeights(from: String(cString: path!), error: error, size: size)
        }
        table.pointee.evaluate = { _, _ in statusError }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
        table.pointee.get_extension = { _, id in
            guard let id, String(cString: id) == TRAINER_EXT_REPORT else { return nil }
            return UnsafeRawPointer(FakeHost.reportExtension)
        }
    }

    deinit {
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_name))
        free(UnsafeMutableRawPointer(mutating: table.pointee.host_version))
        table.deallocate()
        free(runDirectory)
        nameStrings.forEach { free($0) }
        shapeBuffers.forEach { $0.deallocate() }
        data.forEach { $0.deallocate() }
    }

    private static let reportExtension: UnsafeMutablePointer<trainer_report_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_report_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_report_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_report_ext_t>.size),
            report: { host, name, value in
                guard let name else { return }
                FakeHost.of(host).reports[String(cString: name)] = value
            }))
        return pointer
    }()

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    /// Every weight value set to `mark` (the epoch that "produced" them).
    var weightMark: Float {
        get { data[0][0] }
        set {
            for (i, shape) in FakeHost.shapes.enumerated() {
                data[i].update(repeating: newValue, count: Int(shape.reduce(1, *)))
            }
        }
    }

    func currentWeights() -> [[Float]] {
        FakeHost.shapes.enumerated().map { i, shape in Array(UnsafeBufferPointer(start: data[i], count: Int(shape.reduce(1, *)))) }
    }

    private func setWeights(_ weights: [[Float]]) {
        for (i, values) in weights.enumerated() { data[i].update(from: values, count: values.count) }
    }

    private func fail(_ message: String, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> trainer_status_t {
        if let error, size > 0 { _ = strncpy(error, message, size - 1); error[size - 1] = 0 }
        return statusError
    }

    /// A safetensors file: header length, JSON header, float32 values.
    private func saveWeights(to path: String, error errorBuffer: UnsafeMutablePointer<CChar>?, size: Int) -> trainer_status_t {
        var header = "{"
        var offset = 0
        for (i, shape) in FakeHost.shapes.enumerated() {
            let end = offset + Int(shape.reduce(1, *)) * 4
            header += (i == 0 ? "" : ",") + "\"\(FakeHost.names[i])\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var file = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: Array(header.utf8))
        for values in currentWeights() { values.withUnsafeBytes { file.append(contentsOf: $0) } }
        do { try file.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            return fail("cannot write \(path)", errorBuffer, size)
        }
        return statusOK
    }

    /// Reads a safetensors file (as the real host does: every weight by name, shapes checked).
    private func loadWeights(from path: String, error: UnsafeMutablePointer<CChar>?, size: Int) -> trainer_status_t {
        guard let file = FileManager.default.contents(atPath: path), file.count >= 8 else {
            return fail("cannot read \(path)", error, size)
        }
        let bytes = [UInt8](file)
        let headerLength = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        guard 8 + headerLength <= bytes.count,
              let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any]
        else { return fail("\(path): bad header", error, size) }
        let body = 8 + headerLength
        var weights: [[Float]] = []
        for (i, name) in FakeHost.names.enumerated() {
            guard let entry = header[name] as? [String: Any], entry["dtype"] as? String == "F32",
                  let shape = entry["shape"] as? [Int], shape.map(Int64.init) == FakeHost.shapes[i],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  body + offsets[1] <= bytes.count, offsets[1] - offsets[0] == shape.reduce(1, *) * 4
            else { return fail("\(path): tensor \(name) is missing or has the wrong shape", error, size) }
            let raw = Array(bytes[(body + offsets[0])..<(body + offsets[1])])
            weights.append(raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        }
        setWeights(weights)
        return statusOK
    }

    func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }

    var info: [String] { messages(at: TRAINER_LOG_INFO) }
    var warnings: [String] { messages(at: TRAINER_LOG_WARNING) }
    var errors: [String] { messages(at: TRAINER_LOG_ERROR) }
}

// MARK: - A loaded plugin

/// A parameter value as a run's configuration would give it.
enum TestValue {
    case none, bool(Bool), int(Int), double(Double), string(String)
}

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct LoadedPlugin {
    let handle: UnsafeMutableRawPointer
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    /// Loads the built product `name` (e.g. "EarlyStopping").
    init(product name: String) throws {
        let path = try Paths.product(name)
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

    /// Calls `create` the way the host does: one value for every parameter of the schema, in
    /// schema order, defaults filled in, an int given for a double converted.
    func create(host: FakeHost, _ overrides: [String: TestValue] = [:]) -> Result<Instance, HarnessError> {
        var names: [UnsafePointer<CChar>?] = []
        var values: [trainer_value_t] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        for name in overrides.keys where !specs.contains(where: { string($0.name) == name }) {
            return .failure(HarnessError("the schema has no parameter \(name)"))
        }
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
                    count: UInt32(names.count), names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                var instance: UnsafeMutableRawPointer?
                var error = [CChar](repeating: 0, count: 1024)
                let status = descriptor.pointee.create!(UnsafePointer(host.table), &params, &instance, &error, error.count)
                if status == TRAINER_STATUS_OK { return .success(Instance(plugin: self, pointer: instance)) }
                return .failure(HarnessError(String(cString: error)))
            }
        }
    }
}

/// One created plugin instance, destroyed explicitly with `destroy()`.
struct Instance {
    let plugin: LoadedPlugin
    let pointer: UnsafeMutableRawPointer?

    private var hooks: trainer_hooks_t { plugin.hooks }

    func destroy() { plugin.descriptor.pointee.destroy!(pointer) }

    @discardableResult
    func trainBegin() -> trainer_status_t { call(hooks.on_train_begin, []) }

    @discardableResult
    func trainEnd(_ logs: [(String, Double)] = []) -> trainer_status_t { call(hooks.on_train_end, logs) }

    @discardableResult
    func epochBegin(_ epoch: Int) -> trainer_status_t { call(hooks.on_epoch_begin, epoch, []) }

    @discardableResult
    func epochEnd(_ epoch: Int, _ logs: [(String, Double)]) -> trainer_status_t { call(hooks.on_epoch_end, epoch, logs) }

    @discardableResult
    func batchEnd(_ batch: Int, _ logs: [(String, Double)]) -> trainer_status_t { call(hooks.on_train_batch_end, batch, logs) }

    /// A hook the plugin does not provide is not called (status OK), as the host does.
    private func call(_ function: trainer_hook_fn?, _ logs: [(String, Double)]) -> trainer_status_t {
        guard let function else { return statusOK }
        return withLogs(logs) { function(pointer, $0) }
    }

    private func call(_ function: trainer_indexed_hook_fn?, _ index: Int, _ logs: [(String, Double)]) -> trainer_status_t {
        guard let function else { return statusOK }
        return withLogs(logs) { function(pointer, Int64(index), $0) }
    }

    /// save_state through a sink that collects the bytes; nil when it fails.
    func saveState() -> [UInt8]? {
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
        let status = withExtendedLifetime(collected) { plugin.descriptor.pointee.save_state!(pointer, &sink) }
        return status == TRAINER_STATUS_OK ? collected.bytes : nil
    }

    func loadState(_ bytes: [UInt8]) -> trainer_status_t {
        bytes.withUnsafeBytes { plugin.descriptor.pointee.load_state!(pointer, $0.baseAddress, $0.count) }
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

func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// A schema entry as the tests compare it: name, type, default.
struct SpecSummary: Equatable, CustomStringConvertible {
    var name: String
    var type: trainer_value_type_t
    var defaultValue: String

    init(_ spec: trainer_param_spec_t) {
        name = string(spec.name)
        type = spec.type
        let value = spec.default_value
        switch value.type {
        case trainer_value_type_t(TRAINER_VALUE_NONE): defaultValue = "none"
        case trainer_value_type_t(TRAINER_VALUE_BOOL): defaultValue = value.int_value != 0 ? "true" : "false"
        case trainer_value_type_t(TRAINER_VALUE_INT): defaultValue = "\(value.int_value)"
        case trainer_value_type_t(TRAINER_VALUE_DOUBLE): defaultValue = "\(value.double_value)"
        default: defaultValue = "\"\(string(value.string_value))\""
        }
    }

    init(_ name: String, _ type: Int32, _ defaultValue: String) {
        self.name = name
        self.type = trainer_value_type_t(type)
        self.defaultValue = defaultValue
    }

    var description: String { "\(name): \(type) = \(defaultValue)" }
}

let boolType = TRAINER_VALUE_BOOL, intType = TRAINER_VALUE_INT
let doubleType = TRAINER_VALUE_DOUBLE, stringType = TRAINER_VALUE_STRING
