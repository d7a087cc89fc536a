import CTrainerPlugin

/// One created plugin instance together with its plugin and its host, for tests that drive an
/// instance through a run: hooks by their Keras names, saved state. Destroyed by `destroy()`,
/// or when the object goes away if the test did not destroy it.
public final class PluginInstance {
    public let plugin: LoadedPlugin
    /// What `create` returned.
    public let pointer: UnsafeMutableRawPointer?
    /// The host the instance was created with (kept alive as long as the instance).
    public let host: FakeHost
    public private(set) var isDestroyed = false

    public init(plugin: LoadedPlugin, pointer: UnsafeMutableRawPointer?, host: FakeHost) {
        self.plugin = plugin
        self.pointer = pointer
        self.host = host
    }

    deinit { destroy() }

    /// Calls `destroy`, once.
    public func destroy() {
        guard !isDestroyed else { return }
        isDestroyed = true
        plugin.destroy(pointer)
    }

    /// Calls a hook without an index (see `LoadedPlugin.call`).
    @discardableResult
    public func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ logs: [(String, Double)] = []) -> trainer_status_t {
        plugin.call(hook, pointer, logs)
    }

    /// Calls a hook with an epoch or batch index (see `LoadedPlugin.call`).
    @discardableResult
    public func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ index: Int,
                     _ logs: [(String, Double)] = []) -> trainer_status_t {
        plugin.call(hook, pointer, index, logs)
    }

    @discardableResult
    public func trainBegin(_ logs: [(String, Double)] = []) -> trainer_status_t { call(\.on_train_begin, logs) }

    @discardableResult
    public func trainEnd(_ logs: [(String, Double)] = []) -> trainer_status_t { call(\.on_train_end, logs) }

    /// on_epoch_begin; the host is at `epoch` from now on (see `FakeHost.epoch`).
    @discardableResult
    public func epochBegin(_ epoch: Int) -> trainer_status_t {
        host.epoch = epoch
        return call(\.on_epoch_begin, epoch)
    }

    @discardableResult
    public func epochEnd(_ epoch: Int, _ logs: [(String, Double)]) -> trainer_status_t {
        call(\.on_epoch_end, epoch, logs)
    }

    @discardableResult
    public func batchEnd(_ batch: Int, _ logs: [(String, Double)]) -> trainer_status_t {
        call(\.on_train_batch_end, batch, logs)
    }

    /// save_state's bytes; nil when it fails.
    public func saveState() -> [UInt8]? { plugin.saveState(pointer) }

    /// load_state's status for `bytes`.
    public func loadState(_ bytes: [UInt8]) -> trainer_status_t { plugin.loadState(pointer, bytes) }
}

extension LoadedPlugin {
    /// `create` (see `create(host:_:errorSize:)`), the instance wrapped with its plugin and host.
    public func createInstance(host: FakeHost, _ values: [String: ParameterValue] = [:]) -> Result<PluginInstance, HarnessError> {
        create(host: host, values).map { PluginInstance(plugin: self, pointer: $0, host: host) }
    }
}
