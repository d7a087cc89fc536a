// A small host for these tests: loads the built plugin products with dlopen and drives them
// through the C ABI alone, as the real host does. Nothing here links the SDK or a plugin.
import CTrainerPlugin
import Foundation
import XCTest

enum Products {
    /// The build products directory: where the running test bundle is, and where `swift build`
    /// puts the plugin products. TRAINER_PRODUCTS_DIR overrides it.
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// A built plugin, loaded once per process (the host never unloads a plugin either).
    static func plugin(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Plugin {
        let path = directory + "/lib\(name).so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: build the plugin products first (swift build)", file: file, line: line)
            throw TestError("missing product \(name)")
        }
        return try Plugin(path)
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-cbB-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The host table one plugin instance gets, recording what the plugin asks for. Saving weights
/// writes a small file holding the epoch the host is at, so tests can see which epoch a file
/// holds; reports arrive through "trainer.report/1".
final class TestHost {
    var learningRate: Float = 0.01
    var epoch = -1
    private(set) var stopRequests = 0
    private(set) var messages: [(level: Int32, text: String)] = []
    private(set) var saved: [String] = []
    private(set) var reports: [String: Double] = [:]
    private(set) var rateRequests: [Double] = []
    let table: UnsafeMutablePointer<trainer_host_t>
    private var run: trainer_run_params_t
    private let runDirectory: UnsafeMutablePointer<CChar>

    init(runDirectory: String, epochs: Int = 5, steps: Int = 10) {
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
        table.pointee.stop_training = { host in TestHost.of(host).stopRequests += 1 }
        table.pointee.get_learning_rate = { host in Double(TestHost.of(host).learningRate) }
        table.pointee.set_learning_rate = { host, rate in
            let me = TestHost.of(host)
            me.rateRequests.append(rate)
            guard rate.isFinite, rate >= 0 else { return trainer_status_t(TRAINER_STATUS_ERROR) }
            me.learningRate = Float(rate)
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        table.pointee.get_run_params = { host, out in
            let me = TestHost.of(host)
            guard let out else { return trainer_status_t(TRAINER_STATUS_ERROR) }
            let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
            withUnsafeBytes(of: me.run) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: size) }
            out.pointee.struct_size = UInt32(size)
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        table.pointee.save_weights = { host, path, _, _ in
            let me = TestHost.of(host)
            let path = String(cString: path!)
            guard FileManager.default.createFile(atPath: path, contents: Data("epoch \(me.epoch)".utf8)) else {
                return trainer_status_t(TRAINER_STATUS_ERROR)
            }
            me.saved.append(path)
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        table.pointee.log = { host, level, message in
            TestHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
        table.pointee.get_extension = { _, id in
            guard let id, String(cString: id) == TRAINER_EXT_REPORT else { return nil }
            return UnsafeRawPointer(TestHost.reportExtension)
        }
    }

    deinit {
        table.deallocate()
        free(runDirectory)
    }

    private static let reportExtension: UnsafeMutablePointer<trainer_report_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_report_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_report_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_report_ext_t>.size),
            report: { host, name, value in TestHost.of(host).reports[String(cString: name!)] = value }))
        return pointer
    }()

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> TestHost {
        Unmanaged<TestHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    func messages(_ level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }

    /// The saved files' names relative to `directory`.
    func savedNames(in directory: String) -> [String] {
        saved.map { $0.hasPrefix(directory + "/") ? String($0.dropFirst(directory.count + 1)) : $0 }
    }
}

/// A parameter value as a run's configuration gives it.
enum Value {
    case none, bool(Bool), int(Int), double(Double), string(String)
}

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct Plugin {
    let path: String
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    init(_ path: String) throws {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw TestError("dlopen \(path): \(String(cString: dlerror()))")
        }
        guard let entry = dlsym(handle, TRAINER_PLUGIN_ENTRY_SYMBOL) else {
            throw TestError("\(path) has no \(TRAINER_PLUGIN_ENTRY_SYMBOL)")
        }
        typealias Entry = @convention(c) () -> UnsafeRawPointer?
        guard let raw = unsafeBitCast(entry, to: Entry.self)() else { throw TestError("\(path): NULL descriptor") }
        descriptor = raw.assumingMemoryBound(to: trainer_plugin_descriptor_t.self)
    }

    var id: String { String(cString: descriptor.pointee.id) }
    var hooks: trainer_hooks_t { descriptor.pointee.hooks!.pointee }
    var specs: [trainer_param_spec_t] {
        (0..<Int(descriptor.pointee.param_count)).map { descriptor.pointee.params![$0]!.pointee }
    }

    /// Creates an instance as the host does: a value for every parameter, defaults filled in.
    func create(_ host: TestHost, _ settings: [String: Value] = [:]) -> Result<Instance, TestError> {
        var names: [UnsafePointer<CChar>?] = []
        var values: [trainer_value_t] = []
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        for spec in specs {
            names.append(spec.name)
            var value = spec.default_value
            if let given = settings[String(cString: spec.name)] {
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
        for key in settings.keys where !specs.contains(where: { String(cString: $0.name) == key }) {
            return .failure(TestError("\(id) has no parameter \(key)"))
        }
        return names.withUnsafeBufferPointer { namesBuffer in
            values.withUnsafeBufferPointer { valuesBuffer in
                var params = trainer_param_values_t(struct_size: UInt32(MemoryLayout<trainer_param_values_t>.size),
                                                    count: UInt32(names.count),
                                                    names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                var instance: UnsafeMutableRawPointer?
                var error = [CChar](repeating: 0, count: 1024)
                let status = descriptor.pointee.create!(UnsafePointer(host.table), &params, &instance, &error, error.count)
                guard status == TRAINER_STATUS_OK else { return .failure(TestError(String(cString: error))) }
                return .success(Instance(plugin: self, pointer: instance, host: host))
            }
        }
    }

    /// The creation error for these settings (nil when creation succeeds).
    func creationError(_ host: TestHost, _ settings: [String: Value]) -> String? {
        switch create(host, settings) {
        case .success: return nil
        case .failure(let error): return error.description
        }
    }
}

/// A created plugin instance, destroyed with the object.
final class Instance {
    let plugin: Plugin
    let pointer: UnsafeMutableRawPointer?
    let host: TestHost

    init(plugin: Plugin, pointer: UnsafeMutableRawPointer?, host: TestHost) {
        self.plugin = plugin
        self.pointer = pointer
        self.host = host
    }

    deinit { plugin.descriptor.pointee.destroy!(pointer) }

    @discardableResult
    func trainBegin() -> Int32 { call(\.on_train_begin, []) }
    @discardableResult
    func trainEnd(_ logs: [(String, Double)] = []) -> Int32 { call(\.on_train_end, logs) }
    @discardableResult
    func epochBegin(_ epoch: Int) -> Int32 {
        host.epoch = epoch
        return call(\.on_epoch_begin, epoch, [])
    }
    @discardableResult
    func epochEnd(_ epoch: Int, _ logs: [(String, Double)]) -> Int32 { call(\.on_epoch_end, epoch, logs) }
    @discardableResult
    func batchEnd(_ batch: Int, _ logs: [(String, Double)]) -> Int32 { call(\.on_train_batch_end, batch, logs) }

    private func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ logs: [(String, Double)]) -> Int32 {
        guard let function = plugin.hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(pointer, $0) }
    }

    private func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ index: Int,
                      _ logs: [(String, Double)]) -> Int32 {
        guard let function = plugin.hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(pointer, Int64(index), $0) }
    }

    /// save_state's bytes (nil when it fails).
    func saveState() -> [UInt8]? {
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
        let status = withExtendedLifetime(collected) { plugin.descriptor.pointee.save_state!(pointer, &sink) }
        return status == TRAINER_STATUS_OK ? collected.bytes : nil
    }

    func loadState(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { plugin.descriptor.pointee.load_state!(pointer, $0.baseAddress, $0.count) }
    }
}

/// Borrowed logs for one call, as the host passes them.
func withLogs<R>(_ pairs: [(String, Double)], _ body: (UnsafePointer<trainer_logs_t>) -> R) -> R {
    let names = pairs.map { strdup($0.0)! }
    defer { names.forEach { free($0) } }
    let items = zip(names, pairs).map { trainer_log_item_t(name: UnsafePointer($0), value: $1.1) }
    return items.withUnsafeBufferPointer { buffer in
        var logs = trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size), count: UInt32(items.count),
                                  items: items.isEmpty ? nil : buffer.baseAddress)
        return body(&logs)
    }
}

let statusOK = trainer_status_t(TRAINER_STATUS_OK)
let statusError = trainer_status_t(TRAINER_STATUS_ERROR)
