import CTrainerPlugin

/// Calling a plugin's hooks through its descriptor's table, as the host calls them.
extension LoadedPlugin {
    /// Calls a hook without an index (on_train_begin, on_test_end, ...) with these logs. A hook
    /// the plugin does not provide is not called (status OK), as the host does.
    @discardableResult
    public func call(_ hook: KeyPath<trainer_hooks_t, trainer_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
                     _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return statusOK }
        return withLogs(logs) { function(instance, $0) }
    }

    /// Calls a hook that takes an epoch or batch index (on_epoch_end, on_train_batch_end, ...).
    @discardableResult
    public func call(_ hook: KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>, _ instance: UnsafeMutableRawPointer?,
                     _ index: Int, _ logs: [(String, Double)] = []) -> trainer_status_t {
        guard let function = hooks[keyPath: hook] else { return statusOK }
        return withLogs(logs) { function(instance, Int64(index), $0) }
    }

    /// The C names of the hooks this plugin provides.
    public var providedHooks: Set<String> {
        let table = hooks
        return Set(plainHooks.filter { table[keyPath: $0.1] != nil }.map(\.0)
                   + indexedHooks.filter { table[keyPath: $0.1] != nil }.map(\.0))
    }
}

/// Every hook slot without an index, by its C name, in the table's order.
public let plainHooks: [(String, KeyPath<trainer_hooks_t, trainer_hook_fn?>)] = [
    ("on_train_begin", \.on_train_begin), ("on_train_end", \.on_train_end),
    ("on_test_begin", \.on_test_begin), ("on_test_end", \.on_test_end),
    ("on_predict_begin", \.on_predict_begin), ("on_predict_end", \.on_predict_end),
]

/// Every hook slot with an epoch or batch index, by its C name, in the table's order.
public let indexedHooks: [(String, KeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>)] = [
    ("on_epoch_begin", \.on_epoch_begin), ("on_epoch_end", \.on_epoch_end),
    ("on_train_batch_begin", \.on_train_batch_begin), ("on_train_batch_end", \.on_train_batch_end),
    ("on_test_batch_begin", \.on_test_batch_begin), ("on_test_batch_end", \.on_test_batch_end),
    ("on_predict_batch_begin", \.on_predict_batch_begin), ("on_predict_batch_end", \.on_predict_batch_end),
]
