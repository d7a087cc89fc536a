import CTrainerGuard
import CTrainerPlugin
import TrainerEngine

/// Fans the engine's callback hooks out to the plugin instances of a run, in the run's order.
///
/// For each hook of `PluginHook` (the one list of hooks) it keeps the list of (function,
/// instance) pairs of the plugins that provide it, made once; a call walks that list and
/// nothing else. Logs are mirrored into reused C buffers, so dispatch allocates nothing per
/// call. Every call is marked for the guard
/// (`GuardedCall`): a plugin that crashes, exits or hangs in it is named with the hook.
public final class PluginDispatcher: FitCallback {
    public let instances: [PluginInstance]

    private struct Call<F> {
        let function: F
        let instance: UnsafeMutableRawPointer?
        let plugin: Int
        /// The plugin's id, for the guard.
        let name: UnsafePointer<CChar>
    }

    /// The calls of each hook, by `PluginHook.ordinal`: plain hooks in `plain`, indexed ones in
    /// `indexed` (the other array holds an empty list there).
    private let plain: [ContiguousArray<Call<trainer_hook_fn>>]
    private let indexed: [ContiguousArray<Call<trainer_indexed_hook_fn>>]

    /// One C mirror per engine Logs object seen (a run uses a handful).
    private var mirrors: ContiguousArray<CLogs> = []
    /// The hook being called, shared with every instance's host table ("trainer.logs/1").
    private let current = CurrentHook()

    public init(instances: [PluginInstance]) {
        self.instances = instances
        for instance in instances { instance.host.currentHook = current }
        func calls<F>(_ field: WritableKeyPath<trainer_hooks_t, F?>) -> ContiguousArray<Call<F>> {
            ContiguousArray(instances.enumerated().compactMap { index, item in
                item.hookTable[keyPath: field].map { Call(function: $0, instance: item.instance, plugin: index, name: GuardedCall.name(item.id)) }
            })
        }
        plain = PluginHook.allCases.map { $0.field.plain.map(calls) ?? [] }
        indexed = PluginHook.allCases.map { $0.field.indexed.map(calls) ?? [] }
    }

    private func mirror(_ logs: Logs) -> UnsafePointer<trainer_logs_t> {
        if logs.count == 0 { return UnsafePointer(CLogs.empty) }
        for existing in mirrors where existing.source === logs {
            return existing.fill(from: logs)
        }
        // A Logs object not seen before (or one that went away): reuse a dead slot if any.
        if let free = mirrors.first(where: { $0.source == nil }) { return free.fill(from: logs) }
        let made = CLogs()
        mirrors.append(made)
        return made.fill(from: logs)
    }

    @inline(__always)
    private func run(_ hook: PluginHook, _ logs: Logs) throws {
        let calls = plain[hook.ordinal]
        guard !calls.isEmpty else { return }
        var c = mirror(logs)
        let entry = hook.guardName
        current.logs = logs
        defer { current.logs = nil }
        let changed = current.changed
        for call in calls {
            trainer_guard_enter(call.name, entry)
            let status = call.function(call.instance, c)
            trainer_guard_leave()
            if changed.pointee {
                // A plugin added to the logs (trainer.logs/1): the next ones see its values.
                changed.pointee = false
                c = mirror(logs)
            }
            if status != TRAINER_STATUS_OK {
                throw instances[call.plugin].hookFailure(hook)
            }
        }
    }

    @inline(__always)
    private func run(_ hook: PluginHook, _ index: Int, _ logs: Logs) throws {
        let calls = indexed[hook.ordinal]
        guard !calls.isEmpty else { return }
        var c = mirror(logs)
        let entry = hook.guardName
        current.logs = logs
        defer { current.logs = nil }
        let changed = current.changed
        for call in calls {
            trainer_guard_enter(call.name, entry)
            let status = call.function(call.instance, Int64(index), c)
            trainer_guard_leave()
            if changed.pointee {
                changed.pointee = false
                c = mirror(logs)
            }
            if status != TRAINER_STATUS_OK {
                throw instances[call.plugin].hookFailure(hook)
            }
        }
    }

    public func trainBegin(logs: Logs) throws { try run(.trainBegin, logs) }
    public func trainEnd(logs: Logs) throws { try run(.trainEnd, logs) }
    public func epochBegin(_ epoch: Int, logs: Logs) throws { try run(.epochBegin, epoch, logs) }
    public func epochEnd(_ epoch: Int, logs: Logs) throws { try run(.epochEnd, epoch, logs) }
    public func trainBatchBegin(_ batch: Int, logs: Logs) throws { try run(.trainBatchBegin, batch, logs) }
    public func trainBatchEnd(_ batch: Int, logs: Logs) throws { try run(.trainBatchEnd, batch, logs) }
    public func testBegin(logs: Logs) throws { try run(.testBegin, logs) }
    public func testEnd(logs: Logs) throws { try run(.testEnd, logs) }
    public func testBatchBegin(_ batch: Int, logs: Logs) throws { try run(.testBatchBegin, batch, logs) }
    public func testBatchEnd(_ batch: Int, logs: Logs) throws { try run(.testBatchEnd, batch, logs) }
    public func predictBegin(logs: Logs) throws { try run(.predictBegin, logs) }
    public func predictEnd(logs: Logs) throws { try run(.predictEnd, logs) }
    public func predictBatchBegin(_ batch: Int, logs: Logs) throws { try run(.predictBatchBegin, batch, logs) }
    public func predictBatchEnd(_ batch: Int, logs: Logs) throws { try run(.predictBatchEnd, batch, logs) }
}
