import CTrainerPlugin

/// Reads a plugin's C descriptor by the struct-size rule (copy what both sides know into a
/// zeroed local) and checks it. A plugin that fails a check is never called. Every count is
/// checked before the array it counts is read; what cannot be checked (that an array really
/// holds `param_count` pointers) is read first by the scanner, in a child process, and the
/// training process reads only a descriptor whose counts match what the scan found.
enum DescriptorReader {
    struct Problem: Error {
        var reason: String
        var id: String?
    }

    /// Reads and checks the descriptor at `pointer`. With `expectedParameterCount` (the
    /// training process, after a scan), a `param_count` that differs is refused before the
    /// parameters are read.
    static func read(_ pointer: UnsafePointer<trainer_plugin_descriptor_t>, expectedParameterCount: Int? = nil)
        -> Result<(PluginDescriptor, trainer_plugin_descriptor_t, trainer_hooks_t), Problem>
    {
        let (raw, size) = copyStruct(UnsafeRawPointer(pointer), as: trainer_plugin_descriptor_t.self)
        // Everything up to load_state was in ABI 1.0, so every 1.x plugin has it all; later
        // fields (instance_hooks, 1.1) are absent from older plugins and read as NULL.
        let minimum = MemoryLayout<trainer_plugin_descriptor_t>.offset(of: \.instance_hooks)!
        guard size >= 8 else {
            return .failure(Problem(reason: "malformed descriptor: struct_size \(size) is smaller than the minimum \(minimum)"))
        }
        guard raw.abi.major == UInt32(TRAINER_ABI_MAJOR) else {
            return .failure(Problem(
                reason: "ABI \(raw.abi.major).\(raw.abi.minor) is not supported (this host speaks ABI \(TRAINER_ABI_MAJOR).x)"))
        }
        guard size >= minimum else {
            return .failure(Problem(reason: "malformed descriptor: struct_size \(size) is smaller than the minimum \(minimum)"))
        }
        guard let id = cString(raw.id), !id.isEmpty else {
            return .failure(Problem(reason: "malformed descriptor: no id"))
        }
        guard isValidID(id) else {
            return .failure(Problem(reason: "malformed descriptor: id \"\(id)\" must be 1 to 64 letters, digits, '_', '-' or '.'", id: id))
        }
        func bad(_ what: String) -> Result<(PluginDescriptor, trainer_plugin_descriptor_t, trainer_hooks_t), Problem> {
            .failure(Problem(reason: "malformed descriptor: \(what)", id: id))
        }
        guard raw.create != nil, raw.destroy != nil else { return bad("create or destroy is NULL") }
        guard let hooksPointer = raw.hooks else { return bad("hooks is NULL") }
        let (hooks, hooksSize) = copyStruct(UnsafeRawPointer(hooksPointer), as: trainer_hooks_t.self)
        guard hooksSize >= MemoryLayout<trainer_hooks_t>.size else {
            return bad("hooks struct_size \(hooksSize) is smaller than the minimum \(MemoryLayout<trainer_hooks_t>.size)")
        }
        guard (raw.save_state == nil) == (raw.load_state == nil) else {
            return bad("save_state and load_state must both be set or both be NULL")
        }
        if raw.param_count > 0 && raw.params == nil { return bad("param_count is \(raw.param_count) but params is NULL") }
        guard raw.param_count <= 256 else { return bad("param_count \(raw.param_count) is implausible") }
        if let expectedParameterCount, Int(raw.param_count) != expectedParameterCount {
            return bad("param_count is \(raw.param_count), but the scan found \(expectedParameterCount) parameters")
        }
        var parameters: [ParameterSpec] = []
        for index in 0..<Int(raw.param_count) {
            switch readParameter(raw.params![index], index: index) {
            case .failure(let problem): return bad(problem.reason)
            case .success(let spec):
                if parameters.contains(where: { $0.name == spec.name }) {
                    return bad("parameter \"\(spec.name)\" is declared twice")
                }
                parameters.append(spec)
            }
        }
        let descriptor = PluginDescriptor(
            id: id,
            name: cString(raw.name) ?? id,
            version: cString(raw.version) ?? "",
            summary: cString(raw.summary) ?? "",
            abiMajor: raw.abi.major, abiMinor: raw.abi.minor,
            toolchain: cString(raw.toolchain) ?? "",
            parameters: parameters,
            hooks: hooks.provided,
            savesState: raw.save_state != nil)
        return .success((descriptor, raw, hooks))
    }

    private static func readParameter(_ pointer: UnsafePointer<trainer_param_spec_t>?, index: Int)
        -> Result<ParameterSpec, Problem>
    {
        guard let pointer else { return .failure(Problem(reason: "parameter \(index) is NULL")) }
        let (raw, size) = copyStruct(UnsafeRawPointer(pointer), as: trainer_param_spec_t.self)
        guard size >= MemoryLayout<trainer_param_spec_t>.size else {
            return .failure(Problem(reason: "parameter \(index) has struct_size \(size), smaller than the minimum \(MemoryLayout<trainer_param_spec_t>.size)"))
        }
        guard let name = cString(raw.name), isValidID(name) else {
            return .failure(Problem(reason: "parameter \(index) has no valid name"))
        }
        guard let type = ParameterType(abi: raw.type) else {
            return .failure(Problem(reason: "parameter \"\(name)\" has unknown type \(raw.type)"))
        }
        let flags = raw.flags
        let nullable = flags & UInt32(TRAINER_PARAM_NULLABLE) != 0
        let minimum = flags & UInt32(TRAINER_PARAM_HAS_MIN) != 0 ? raw.min : nil
        let maximum = flags & UInt32(TRAINER_PARAM_HAS_MAX) != 0 ? raw.max : nil
        let choices = type == .string ? (cString(raw.choices).map { $0.split(separator: "|").map(String.init) } ?? []) : []
        let required = flags & UInt32(TRAINER_PARAM_REQUIRED) != 0
        var spec = ParameterSpec(name: name, type: type, help: cString(raw.help) ?? "",
                                 defaultValue: .none, nullable: nullable,
                                 minimum: minimum, maximum: maximum, choices: choices, required: required)
        guard let value = ParameterValue(raw.default_value) else {
            return .failure(Problem(reason: "parameter \"\(name)\" has a default of unknown type \(raw.default_value.type)"))
        }
        // A required parameter's default is never used: none is as good as any.
        if required, value == .none { return .success(spec) }
        switch spec.validate(value) {
        case .success(let checked): spec.defaultValue = checked
        case .failure(let problem): return .failure(Problem(reason: "parameter \"\(name)\": default does not fit its schema (\(problem.message))"))
        }
        return .success(spec)
    }

    static func isValidID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45 || c == 46
        }
    }

    private static func cString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// Copies a struct that starts with `uint32_t struct_size` into a zeroed local, at most as
/// many bytes as both sides know. Returns the copy and the size the writer declared.
func copyStruct<T>(_ pointer: UnsafeRawPointer, as type: T.Type) -> (T, Int) where T: ZeroInitializable {
    let declared = Int(pointer.load(as: UInt32.self))
    var local = T()
    let count = min(declared, MemoryLayout<T>.size)
    withUnsafeMutableBytes(of: &local) { target in
        target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count))
    }
    return (local, declared)
}

/// C structs imported into Swift: `init()` zero-fills them.
protocol ZeroInitializable { init() }
extension trainer_plugin_descriptor_t: ZeroInitializable {}
extension trainer_hooks_t: ZeroInitializable {}
extension trainer_param_spec_t: ZeroInitializable {}
