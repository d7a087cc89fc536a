import Foundation

/// One message between the training process and a plugin host (`trainer plugin-host`, the
/// child that runs one isolated plugin). The parent makes calls (`open`, `hook`, `saveState`,
/// `loadState`, `destroy`); while the child runs one, it may send any number of `request`s
/// (the plugin calling its host table), each answered by one `reply`, and it ends the call with
/// its answer (`created`, `result` or `state`). Log names cross once per run (`name`), then a
/// hook's logs are (name id, value) pairs. Encoding is `IsolationWire`'s.
enum IsolationMessage: Equatable {
    // The parent's calls.
    /// Load the plugin file (if it is still the file scanned) and create an instance.
    case open(OpenRequest)
    /// Defines a log name id for later hook calls.
    case name(id: UInt32, text: String)
    case hook(PluginHook, index: Int64, logs: [WireLog])
    case saveState
    case loadState([UInt8])
    case destroy
    /// The answer to the child's last request.
    case reply(HostReply)
    // The child's answers and requests.
    /// `open` succeeded: the instance's hooks (bit i: `PluginHook.allCases[i]`) and whether
    /// the plugin saves and loads state.
    case created(hooks: UInt32, savesState: Bool, loadsState: Bool)
    /// The status of a call, with the plugin's message when it has one.
    case result(status: Int32, message: String)
    /// `saveState`'s answer: the status and the bytes.
    case state(status: Int32, bytes: [UInt8])
    /// The plugin called a function of its host table.
    case request(HostRequest)

    /// One item of a hook's logs: a name id defined by `name`, and the value.
    struct WireLog: Equatable {
        var name: UInt32
        var value: Double
    }

    /// What the child needs to load and create the plugin.
    struct OpenRequest: Equatable {
        var path: String
        var identity: FileIdentity
        /// The descriptor the scan found, as JSON (`ScanJSON`): the child loads the file only if
        /// it still says the same.
        var descriptor: [UInt8]
        var values: [ParameterValue]
    }

    enum Kind: UInt8 {
        case open = 1, name, hook, saveState, loadState, destroy, reply
        case created = 32, result, state, request
    }

    /// Appends the message as one frame.
    func encode(into writer: inout WireWriter) {
        switch self {
        case .open(let open):
            writer.begin(Kind.open.rawValue)
            writer.string(open.path)
            writer.u64(open.identity.device)
            writer.u64(open.identity.inode)
            writer.i64(open.identity.size)
            writer.i64(open.identity.modifiedSeconds)
            writer.i64(open.identity.modifiedNanoseconds)
            writer.data(open.descriptor)
            writer.u32(UInt32(open.values.count))
            for value in open.values { Self.encode(value, into: &writer) }
        case .name(let id, let text):
            writer.begin(Kind.name.rawValue)
            writer.u32(id)
            writer.string(text)
        case .hook(let hook, let index, let logs):
            writer.begin(Kind.hook.rawValue)
            writer.u8(hook.wireCode)
            writer.i64(index)
            writer.u32(UInt32(logs.count))
            for item in logs {
                writer.u32(item.name)
                writer.f64(item.value)
            }
        case .saveState:
            writer.begin(Kind.saveState.rawValue)
        case .loadState(let bytes):
            writer.begin(Kind.loadState.rawValue)
            writer.data(bytes)
        case .destroy:
            writer.begin(Kind.destroy.rawValue)
        case .reply(let reply):
            writer.begin(Kind.reply.rawValue)
            reply.encode(into: &writer)
        case .created(let hooks, let saves, let loads):
            writer.begin(Kind.created.rawValue)
            writer.u32(hooks)
            writer.bool(saves)
            writer.bool(loads)
        case .result(let status, let message):
            writer.begin(Kind.result.rawValue)
            writer.i32(status)
            writer.string(message)
        case .state(let status, let bytes):
            writer.begin(Kind.state.rawValue)
            writer.i32(status)
            writer.data(bytes)
        case .request(let request):
            writer.begin(Kind.request.rawValue)
            request.encode(into: &writer)
        }
        writer.end()
    }

    /// The message a frame body holds; throws `IsolationGarbage` for anything else (an unknown
    /// kind, a field past the end, bytes left over).
    static func decode(_ body: [UInt8]) throws -> IsolationMessage {
        var reader = WireReader(body)
        let code = try reader.u8()
        guard let kind = Kind(rawValue: code) else { throw IsolationGarbage("a message of unknown kind \(code)") }
        let message: IsolationMessage
        switch kind {
        case .open:
            let path = try reader.string()
            let identity = FileIdentity(device: try reader.u64(), inode: try reader.u64(), size: try reader.i64(),
                                        modifiedSeconds: try reader.i64(), modifiedNanoseconds: try reader.i64())
            let descriptor = try reader.data()
            let count = try reader.count(itemSize: 1)
            var values: [ParameterValue] = []
            for _ in 0..<count { values.append(try decodeValue(&reader)) }
            message = .open(OpenRequest(path: path, identity: identity, descriptor: descriptor, values: values))
        case .name:
            message = .name(id: try reader.u32(), text: try reader.string())
        case .hook:
            let code = try reader.u8()
            guard let hook = PluginHook(wireCode: code) else { throw IsolationGarbage("a hook of unknown code \(code)") }
            let index = try reader.i64()
            let count = try reader.count(itemSize: 12)
            var logs: [WireLog] = []
            logs.reserveCapacity(count)
            for _ in 0..<count { logs.append(WireLog(name: try reader.u32(), value: try reader.f64())) }
            message = .hook(hook, index: index, logs: logs)
        case .saveState: message = .saveState
        case .loadState: message = .loadState(try reader.data())
        case .destroy: message = .destroy
        case .reply: message = .reply(try HostReply.decode(&reader))
        case .created: message = .created(hooks: try reader.u32(), savesState: try reader.bool(), loadsState: try reader.bool())
        case .result: message = .result(status: try reader.i32(), message: try reader.string())
        case .state: message = .state(status: try reader.i32(), bytes: try reader.data())
        case .request: message = .request(try HostRequest.decode(&reader))
        }
        guard reader.isAtEnd else { throw IsolationGarbage("bytes left over after a message of kind \(code)") }
        return message
    }

    private static func encode(_ value: ParameterValue, into writer: inout WireWriter) {
        switch value {
        case .none: writer.u8(0)
        case .bool(let b): writer.u8(1); writer.bool(b)
        case .int(let i): writer.u8(2); writer.i64(i)
        case .double(let d): writer.u8(3); writer.f64(d)
        case .string(let s): writer.u8(4); writer.string(s)
        }
    }

    private static func decodeValue(_ reader: inout WireReader) throws -> ParameterValue {
        switch try reader.u8() {
        case 0: return .none
        case 1: return .bool(try reader.bool())
        case 2: return .int(try reader.i64())
        case 3: return .double(try reader.f64())
        case 4: return .string(try reader.string())
        case let other: throw IsolationGarbage("a parameter value of unknown type \(other)")
        }
    }
}

extension PluginHook {
    /// The hook's code on the wire: its place in `trainer_hooks_t`.
    var wireCode: UInt8 { UInt8(ordinal) }

    init?(wireCode: UInt8) {
        guard Int(wireCode) < PluginHook.allCases.count else { return nil }
        self = PluginHook.allCases[Int(wireCode)]
    }

    /// Bit `wireCode` set for each hook of a table.
    static func mask(_ hooks: [PluginHook]) -> UInt32 {
        hooks.reduce(0) { $0 | 1 << UInt32($1.wireCode) }
    }

    /// The hooks whose bits `mask` sets.
    static func hooks(in mask: UInt32) -> [PluginHook] {
        allCases.filter { mask & (1 << UInt32($0.wireCode)) != 0 }
    }
}
