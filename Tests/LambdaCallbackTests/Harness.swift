// A small host for LambdaCallback's tests: loads the built plugin with dlopen and drives it
// through the C ABI alone, as the trainer does; compiles the fixture library with cc.
import CTrainerPlugin
import Foundation
import XCTest

enum Paths {
    /// The repository root (this file is Tests/LambdaCallbackTests/Harness.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var headerDirectory: String { repository + "/Sources/CTrainerPlugin/include" }
    static var pluginSources: String { repository + "/Plugins/LambdaCallback" }
    static var fixtures: String { repository + "/Tests/Fixtures/lambda" }

    /// Where SwiftPM put the test bundle, the plugin products and `trainer`.
    /// TRAINER_PRODUCTS_DIR overrides it.
    static let products: String = {
        if let dir = ProcessInfo.processInfo.environment["TRAINER_PRODUCTS_DIR"], !dir.isEmpty {
            return dir
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("libLambdaCallback.so").path),
              url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

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
            .appendingPathComponent("lambda-callback-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to its end; its status and what it printed.
@discardableResult
func runProgram(_ arguments: [String], in directory: String? = nil,
                environment extra: [String: String] = [:]) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if !extra.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let collected = Collected()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        collected.data = output.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: collected.data, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self))
}

private final class Collected: @unchecked Sendable {
    var data = Data()
}

/// Compiles C sources with cc; fails with the compiler's messages.
func compileC(_ arguments: [String]) throws {
    let result = try runProgram(["cc", "-std=c11", "-Wall", "-Werror"] + arguments)
    guard result.status == 0 else {
        throw HarnessError("cc \(arguments.joined(separator: " ")) failed:\n\(result.errors)")
    }
}

/// The fixture library (Tests/Fixtures/lambda/mine.c) built into `directory` as `name`.
func buildFixtureLibrary(into directory: String, name: String = "libmine.so") throws -> String {
    let path = directory + "/" + name
    try compileC(["-shared", "-fPIC", Paths.fixtures + "/mine.c", "-o", path])
    return path
}

/// The fixture library's controls, through its own handle (the same one the plugin gets:
/// dlopen of the same file returns the loaded library).
struct FixtureLibrary {
    let path: String
    private let handle: UnsafeMutableRawPointer

    init(_ path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError("dlopen \(path): \(String(cString: dlerror()))")
        }
        self.path = path
        self.handle = handle
    }

    /// Lines go to `file`; stop_from as fixture_stop_from.
    func configure(output file: String, stopFrom: Int64 = -1) {
        typealias SetOutput = @convention(c) (UnsafePointer<CChar>?) -> Void
        typealias SetStop = @convention(c) (Int64) -> Void
        unsafeBitCast(dlsym(handle, "fixture_output")!, to: SetOutput.self)(file)
        unsafeBitCast(dlsym(handle, "fixture_stop_from")!, to: SetStop.self)(stopFrom)
    }
}

// MARK: - A fake host

final class FakeHost {
    private(set) var stopRequests = 0
    private(set) var messages: [(level: trainer_log_level_t, text: String)] = []
    let table: UnsafeMutablePointer<trainer_host_t>
    private var run: trainer_run_params_t
    private let runDirectory: UnsafeMutablePointer<CChar>

    init(runDirectory: String = "") {
        self.runDirectory = strdup(runDirectory)!
        run = trainer_run_params_t()
        run.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
        run.verbose = 1
        run.epochs = 3
        run.steps = 10
        run.batch_size = 32
        run.samples = 320
        run.run_dir = UnsafePointer(self.runDirectory)
        table = .allocate(capacity: 1)
        table.initialize(to: trainer_host_t())
        table.pointee.struct_size = UInt32(MemoryLayout<trainer_host_t>.size)
        table.pointee.abi = trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
        table.pointee.stop_training = { host in FakeHost.of(host).stopRequests += 1 }
        table.pointee.get_run_params = { host, out in
            let fake = FakeHost.of(host)
            guard let out else { return trainer_status_t(TRAINER_STATUS_ERROR) }
            let size = min(Int(out.pointee.struct_size), MemoryLayout<trainer_run_params_t>.size)
            withUnsafeBytes(of: fake.run) { source in
                UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: size)
            }
            out.pointee.struct_size = UInt32(size)
            return trainer_status_t(TRAINER_STATUS_OK)
        }
        table.pointee.log = { host, level, message in
            FakeHost.of(host).messages.append((level, message.map { String(cString: $0) } ?? ""))
        }
    }

    deinit {
        table.deallocate()
        free(runDirectory)
    }

    private static func of(_ host: UnsafePointer<trainer_host_t>?) -> FakeHost {
        Unmanaged<FakeHost>.fromOpaque(host!.pointee.host_data!).takeUnretainedValue()
    }

    func messages(at level: Int32) -> [String] {
        messages.filter { $0.level == level }.map(\.text)
    }
}

// MARK: - The plugin

/// A plugin loaded with dlopen(RTLD_NOW | RTLD_LOCAL), as the host loads it (never closed).
struct LoadedPlugin {
    let path: String
    let descriptor: UnsafePointer<trainer_plugin_descriptor_t>

    init(_ path: String) throws {
        self.path = path
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

    var parameterNames: [String] {
        (0..<Int(descriptor.pointee.param_count)).map {
            String(cString: descriptor.pointee.params![$0]!.pointee.name)
        }
    }

    /// Calls `create` as the host does: every parameter of the schema in order, none unless
    /// given here as a string.
    func create(host: FakeHost, _ strings: [String: String] = [:]) -> Result<UnsafeMutableRawPointer?, HarnessError> {
        let specs = (0..<Int(descriptor.pointee.param_count)).map { descriptor.pointee.params![$0]!.pointee }
        let copies = specs.map { spec in strings[String(cString: spec.name)].map { strdup($0)! } }
        defer { copies.forEach { free($0) } }
        let names: [UnsafePointer<CChar>?] = specs.map(\.name)
        let values: [trainer_value_t] = zip(specs, copies).map { spec, copy in
            var value = spec.default_value
            if let copy {
                value = trainer_value_t()
                value.type = trainer_value_type_t(TRAINER_VALUE_STRING)
                value.string_value = UnsafePointer(copy)
            }
            return value
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

    /// The error `create` gives for these settings; fails the test when it succeeds.
    func createError(_ strings: [String: String], host: FakeHost = FakeHost(),
                     file: StaticString = #filePath, line: UInt = #line) -> String {
        switch create(host: host, strings) {
        case .success(let instance):
            destroy(instance)
            XCTFail("create succeeded for \(strings)", file: file, line: line)
            return ""
        case .failure(let error):
            return error.description
        }
    }

    func destroy(_ instance: UnsafeMutableRawPointer?) {
        descriptor.pointee.destroy!(instance)
    }

    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(instance, $0) }
    }

    @discardableResult
    func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
              _ index: Int, _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return trainer_status_t(TRAINER_STATUS_OK) }
        return withLogs(logs) { function(instance, Int64(index), $0) }
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

/// The lines the fixture library wrote, or none.
func lines(of file: String) -> [String] {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init)
}
