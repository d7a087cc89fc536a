import CTrainerPlugin
import Foundation
import XCTest

/// Creating and destroying instances through the descriptor, as the host does.
extension LoadedPlugin {
    /// Calls `create` the way the host does: one value for every parameter of the schema, in
    /// schema order, defaults filled in for those not in `values`, an int given for a double
    /// converted. A name the schema does not have is a failure (the host refuses it too).
    ///
    /// The error buffer is `errorSize` bytes; a byte past it is checked afterwards, so a plugin
    /// that writes past the buffer stops the tests, and a message that is not NUL-terminated
    /// inside the buffer reads as a message saying so.
    public func create(host: FakeHost, _ values: [String: ParameterValue] = [:],
                       errorSize: Int = 1024) -> Result<UnsafeMutableRawPointer?, HarnessError> {
        let specs = self.specs
        for name in values.keys.sorted() where !specs.contains(where: { string($0.name) == name }) {
            return .failure(HarnessError("\(id) has no parameter \(name)"))
        }
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        let names: [UnsafePointer<CChar>?] = specs.map(\.name)
        let cValues: [trainer_value_t] = specs.map { spec in
            values[string(spec.name)]?.cValue(for: spec, strings: &strings) ?? spec.default_value
        }
        return names.withUnsafeBufferPointer { namesBuffer in
            cValues.withUnsafeBufferPointer { valuesBuffer in
                var params = trainer_param_values_t(
                    struct_size: UInt32(MemoryLayout<trainer_param_values_t>.size),
                    count: UInt32(names.count), names: namesBuffer.baseAddress, values: valuesBuffer.baseAddress)
                var instance: UnsafeMutableRawPointer?
                // Filled with a non-zero byte: a message must bring its own terminating NUL.
                var error = [CChar](repeating: 0x7F, count: errorSize + 1)
                let status = descriptor.pointee.create!(UnsafePointer(host.table), &params, &instance,
                                                        &error, errorSize)
                precondition(error[errorSize] == 0x7F, "create wrote past the error buffer")
                if status == TRAINER_STATUS_OK { return .success(instance) }
                let written = error.prefix(errorSize)
                guard let end = written.firstIndex(of: 0) else {
                    return .failure(HarnessError("(no NUL-terminated message in the \(errorSize)-byte error buffer)"))
                }
                return .failure(HarnessError(String(decoding: written[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)))
            }
        }
    }

    /// `create`, for a test that expects it to succeed: a failure is reported at the caller's
    /// line and thrown.
    public func requireInstance(host: FakeHost, _ values: [String: ParameterValue] = [:],
                                file: StaticString = #filePath, line: UInt = #line) throws -> UnsafeMutableRawPointer? {
        switch create(host: host, values) {
        case .success(let instance): return instance
        case .failure(let error):
            XCTFail("create failed: \(error)", file: file, line: line)
            throw error
        }
    }

    /// The error `create` gives for these values, or nil when it succeeds (the instance is
    /// destroyed at once).
    public func creationError(host: FakeHost = FakeHost(), _ values: [String: ParameterValue]) -> String? {
        switch create(host: host, values) {
        case .success(let instance):
            destroy(instance)
            return nil
        case .failure(let error):
            return error.description
        }
    }

    /// The error `create` gives for these values, for a test that expects one: a successful
    /// creation fails the test at the caller's line (and gives "").
    public func expectCreationError(host: FakeHost = FakeHost(), _ values: [String: ParameterValue],
                                    file: StaticString = #filePath, line: UInt = #line) -> String {
        guard let error = creationError(host: host, values) else {
            XCTFail("create succeeded for \(values)", file: file, line: line)
            return ""
        }
        return error
    }

    /// Calls `destroy` for an instance `create` made.
    public func destroy(_ instance: UnsafeMutableRawPointer?) {
        descriptor.pointee.destroy!(instance)
    }
}
