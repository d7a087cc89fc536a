// A small host for RemoteMonitor's tests: loads the built plugin with dlopen and drives it
// through the C ABI alone, as the trainer does.
import CTrainerPlugin
import Foundation
import XCTest

enum Products {
    /// Where SwiftPM put the test bundle and the plugin products. TRAINER_PRODUCTS_DIR
    /// overrides it.
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("libRemoteMonitor.so").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    static func plugin(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = directory + "/lib\(name).so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: build the plugin products first (swift build)", file: file, line: line)
            throw HarnessError("missing product \(name)")
        }
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A host table that records the plugin's messages and stop requests.
final class FakeHost {
    private(set) var stopRequests = 0
    private(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    let table: UnsafeMutablePointer<trainer_host_t>

    init() {
        table = .allocate(capacity: 1)
        table.initialize(to: trainer_host_t())
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.stop_training = { host in FakeHost.of(host).stopRequests += 1 }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
    }

    deinit {
        table.deallocate()
    }

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }
}

/// A parameter value as a run's configuration gives it.
enum TestValue {
    case none, bool(Bool), double(Double), string(String)
}

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct LoadedPlugin {
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    init(_ path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError("dlopen \(path): \(String(cString: dlerror()))")
        }
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

    /// Calls `create` as the host does: every parameter in schema order, defaults filled in.
    func create(host: FakeHost, _ overrides: [String: TestValue] = [:]) -> Result<UnsafeMutableRawPointer?, HarnessError> {
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        var names: [UnsafePointer<CChar>?] = []
        var values: [trainer_value_t] = []
        for spec in specs {
            names.append(spec.name)
            var value = spec.default_value
            if let given = overrides[String(cString: spec.name)] {
                value = trainer_value_t()
                switch given {
                case .none: value.type = trainer_value_type_t(TRAINER_VALUE_NONE)
                case .bool(let b):
                    value.type = trainer_value_type_t(TRAINER_VALUE_BOOL)
                    value.int_value = b ? 1 : 0
                case .double(let d):
                    value.type = trainer_value_type_t(TRAINER_VALUE_DOUBLE)
                    value.double_value = d
                case .string(let s):
                    let copy = strdup(s)!
                    strings.append(copy)
                    value.type = trainer_value_type_t(TRAINER_VALUE_STRING)
                    value.string_value = UnsafePointer(copy)
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
                if status == TRAINER_STATUS_OK { return .success(instance) }
                return .failure(HarnessError(String(cString: error)))
            }
        }
    }

    func destroy(_ instance: UnsafeMutableRawPointer?) {
        descriptor.pointee.destroy!(instance)
    }

    @discardableResult
    func epochEnd(_ instance: UnsafeMutableRawPointer?, _ epoch: Int, _ logs: [(String, Double)]) -> trainer_status_t {
        withLogs(logs) { hooks.on_epoch_end!(instance, Int64(epoch), $0) }
    }

    @discardableResult
    func trainEnd(_ instance: UnsafeMutableRawPointer?) -> trainer_status_t {
        withLogs([]) { hooks.on_train_end!(instance, $0) }
    }
}

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
