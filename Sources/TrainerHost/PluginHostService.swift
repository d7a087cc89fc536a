import CTrainerGuard
import CTrainerPlugin
import Foundation

/// The plugin host's side of isolation: what `trainer plugin-host` does in the child process a
/// `PluginRelay` starts. It loads the one plugin the parent names (only if the file is still
/// the one scanned, saying what it said then), creates it with a `RelayedHostTable`, then
/// serves the parent's calls until `destroy` or until the parent goes away. The plugin's own
/// output goes to the standard output and error it inherited.
public enum PluginHostService {
    /// The socket to the training process.
    public static let socketDescriptor: Int32 = 3
    /// The shared memory of the weight views.
    public static let memoryDescriptor: Int32 = 4

    /// Serves the parent; returns false at once when descriptor 3 is not open (the command was
    /// not started by `trainer` itself). Otherwise never returns: the process exits.
    public static func serve() -> Bool {
        guard fcntl(socketDescriptor, F_GETFD) != -1 else { return false }
        // A crashing plugin leaves no core file behind; a parent that dies takes this along.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        if trainer_die_with_parent(getppid()) != 0 { _exit(0) }
        let connection = PluginHostConnection(socket: socketDescriptor)
        let host = RelayedHostTable(connection: connection, memory: memoryDescriptor)
        guard case .open(let open) = connection.receive() else {
            fputs("trainer plugin-host: the first message was not the plugin to open\n", stderr)
            _exit(70)
        }
        guard let (plugin, instance, hooks) = create(open, host: host, connection: connection) else {
            // The parent has the reason and closes the connection.
            _ = connection.receive()
            _exit(0)
        }
        serveCalls(plugin, instance: instance, hooks: hooks, connection: connection)
    }

    /// Loads and creates the plugin, answering `created` or the reason it could not.
    private static func create(_ open: IsolationMessage.OpenRequest, host: RelayedHostTable,
                               connection: PluginHostConnection)
        -> (LoadedPlugin, UnsafeMutableRawPointer?, trainer_hooks_t)?
    {
        guard let descriptor = try? ScanJSON.decoder().decode(PluginDescriptor.self, from: Data(open.descriptor)) else {
            connection.send(.result(status: TRAINER_STATUS_ERROR, message: "the plugin host could not read the descriptor"))
            return nil
        }
        let plugin: LoadedPlugin
        // The training process checked who could change the file, and its pinned SHA-256, before
        // starting this plugin host; the load still checks that the file is the one scanned.
        switch PluginLoader.load(ScannedPlugin(path: open.path, identity: open.identity, descriptor: descriptor),
                                 allowInsecure: true) {
        case .failure(let problem):
            connection.send(.result(status: TRAINER_STATUS_ERROR, message: problem.description))
            return nil
        case .success(let loaded): plugin = loaded
        }
        guard open.values.count == descriptor.parameters.count else {
            connection.send(.result(status: TRAINER_STATUS_ERROR, message: "the plugin host got \(open.values.count) values for \(descriptor.parameters.count) parameters"))
            return nil
        }
        do {
            let created = try PluginCreation.create(plugin, values: open.values, host: host.table)
            connection.send(.created(hooks: PluginHook.mask(created.hooks.provided),
                                     savesState: plugin.raw.save_state != nil, loadsState: plugin.raw.load_state != nil))
            return (plugin, created.instance, created.hooks)
        } catch PluginRunError.createFailed(_, let message) {
            connection.send(.result(status: TRAINER_STATUS_ERROR, message: message))
            return nil
        } catch {
            connection.send(.result(status: TRAINER_STATUS_ERROR, message: "\(error)"))
            return nil
        }
    }

    private static func serveCalls(_ plugin: LoadedPlugin, instance: UnsafeMutableRawPointer?, hooks: trainer_hooks_t,
                                   connection: PluginHostConnection) -> Never {
        var names: [UnsafeMutablePointer<CChar>] = []
        var capacity = 16
        var items = UnsafeMutablePointer<trainer_log_item_t>.allocate(capacity: capacity)
        var logs = trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size), count: 0, items: nil)
        func garbage(_ what: String) -> Never {
            fputs("trainer plugin-host: the training process sent \(what)\n", stderr)
            _exit(70)
        }
        while true {
            switch connection.receive() {
            case .name(let id, let text):
                guard id == UInt32(names.count) else { garbage("log name \(id) out of order") }
                names.append(strdup(text)!)
            case .hook(let hook, let index, let wire):
                if wire.count > capacity {
                    items.deallocate()
                    capacity = wire.count
                    items = .allocate(capacity: capacity)
                }
                for (i, item) in wire.enumerated() {
                    guard Int(item.name) < names.count else { garbage("an undefined log name \(item.name)") }
                    items[i] = trainer_log_item_t(name: UnsafePointer(names[Int(item.name)]), value: item.value)
                }
                logs.count = UInt32(wire.count)
                logs.items = wire.isEmpty ? nil : UnsafePointer(items)
                let status = withUnsafePointer(to: &logs) { call(hooks, hook, instance, index, $0) }
                connection.send(.result(status: status, message: ""))
            case .saveState:
                guard let save = plugin.raw.save_state else {
                    connection.send(.state(status: TRAINER_STATUS_OK, bytes: []))
                    continue
                }
                let collector = ByteCollector()
                let status = withExtendedLifetime(collector) { collector.withSink { save(instance, $0) } }
                connection.send(.state(status: status, bytes: collector.bytes))
            case .loadState(let bytes):
                guard let load = plugin.raw.load_state else {
                    connection.send(.result(status: TRAINER_STATUS_OK, message: ""))
                    continue
                }
                let status = bytes.withUnsafeBytes { load(instance, $0.baseAddress, $0.count) }
                connection.send(.result(status: status, message: ""))
            case .destroy:
                plugin.raw.destroy(instance)
                connection.send(.result(status: TRAINER_STATUS_OK, message: ""))
                exit(0)
            case let other:
                garbage("a message of kind \(other.kindName) between calls")
            }
        }
    }

    /// Calls `hook` of the instance's table (a hook it lacks does nothing).
    private static func call(_ hooks: trainer_hooks_t, _ hook: PluginHook, _ instance: UnsafeMutableRawPointer?,
                             _ index: Int64, _ logs: UnsafePointer<trainer_logs_t>) -> trainer_status_t {
        let ok = TRAINER_STATUS_OK
        switch hook {
        case .trainBegin: return hooks.on_train_begin?(instance, logs) ?? ok
        case .trainEnd: return hooks.on_train_end?(instance, logs) ?? ok
        case .epochBegin: return hooks.on_epoch_begin?(instance, index, logs) ?? ok
        case .epochEnd: return hooks.on_epoch_end?(instance, index, logs) ?? ok
        case .trainBatchBegin: return hooks.on_train_batch_begin?(instance, index, logs) ?? ok
        case .trainBatchEnd: return hooks.on_train_batch_end?(instance, index, logs) ?? ok
        case .testBegin: return hooks.on_test_begin?(instance, logs) ?? ok
        case .testEnd: return hooks.on_test_end?(instance, logs) ?? ok
        case .testBatchBegin: return hooks.on_test_batch_begin?(instance, index, logs) ?? ok
        case .testBatchEnd: return hooks.on_test_batch_end?(instance, index, logs) ?? ok
        case .predictBegin: return hooks.on_predict_begin?(instance, logs) ?? ok
        case .predictEnd: return hooks.on_predict_end?(instance, logs) ?? ok
        case .predictBatchBegin: return hooks.on_predict_batch_begin?(instance, index, logs) ?? ok
        case .predictBatchEnd: return hooks.on_predict_batch_end?(instance, index, logs) ?? ok
        }
    }
}
