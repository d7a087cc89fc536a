import CTrainerGuard
import CTrainerPlugin
import TrainerEngine

/// Fans the engine's callback hooks out to the plugin instances of a run, in the run's order.
///
/// For each hook it keeps the list of (function, instance) pairs of the plugins that provide
/// it, made once; a call walks that list and nothing else. Logs are mirrored into reused C
/// buffers, so dispatch allocates nothing per call. Every call is marked for the guard
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

    private var plain: [PluginHook: ContiguousArray<Call<trainer_hook_fn>>] = [:]
    private var indexed: [PluginHook: ContiguousArray<Call<trainer_indexed_hook_fn>>] = [:]
    // Hot hooks are kept out of the dictionaries.
    private let trainBatchBeginCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>
    private let trainBatchEndCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>
    private let testBatchBeginCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>
    private let testBatchEndCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>
    private let predictBatchBeginCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>
    private let predictBatchEndCalls: ContiguousArray<Call<trainer_indexed_hook_fn>>

    /// One C mirror per engine Logs object seen (a run uses a handful).
    private var mirrors: ContiguousArray<CLogs> = []
    /// The hook being called, shared with every instance's host table ("trainer.logs/1").
    private let current = CurrentHook()

    public init(instances: [PluginInstance]) {
        self.instances = instances
        for instance in instances { instance.host.currentHook = current }
        func plainCalls(_ hook: PluginHook, _ pick: (trainer_hooks_t) -> trainer_hook_fn?) -> ContiguousArray<Call<trainer_hook_fn>> {
            ContiguousArray(instances.enumerated().compactMap { index, item in
                pick(item.hookTable).map { Call(function: $0, instance: item.instance, plugin: index, name: GuardedCall.name(item.id)) }
            })
        }
        func indexedCalls(_ pick: (trainer_hooks_t) -> trainer_indexed_hook_fn?) -> ContiguousArray<Call<trainer_indexed_hook_fn>> {
            ContiguousArray(instances.enumerated().compactMap { index, item in
                pick(item.hookTable).map { Call(function: $0, instance: item.instance, plugin: index, name: GuardedCall.name(item.id)) }
            })
        }
        plain[.trainBegin] = plainCalls(.trainBegin) { $0.on_train_begin }
        plain[.trainEnd] = plainCalls(.trainEnd) { $0.on_train_end }
        plain[.testBegin] = plainCalls(.testBegin) { $0.on_test_begin }
        plain[.testEnd] = plainCalls(.testEnd) { $0.on_test_end }
        plain[.predictBegin] = plainCalls(.predictBegin) { $0.on_predict_begin }
        plain[.predictEnd] = plainCalls(.predictEnd) { $0.on_predict_end }
        indexed[.epochBegin] = indexedCalls { $0.on_epoch_begin }
        indexed[.epochEnd] = indexedCalls { $0.on_epoch_end }
        trainBatchBeginCalls = indexedCalls { $0.on_train_batch_begin }
        trainBatchEndCalls = indexedCalls { $0.on_train_batch_end }
        testBatchBeginCalls = indexedCalls { $0.on_test_batch_begin }
        testBatchEndCalls = indexedCalls { $0.on_test_batch_end }
        predictBatchBeginCalls = indexedCalls { $0.on_predict_batch_begin }
        predictBatchEndCalls = indexedCalls { $0.on_predict_batch_end }
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
    private func run(_ calls: ContiguousArray<Call<trainer_hook_fn>>?, _ hook: PluginHook, _ logs: Logs) throws {
        guard let calls, !calls.isEmpty else { return }
        var c = mirror(logs)
        let entry = hook.guardName
        current.logs = logs
        defer { current.logs = nil }
        for call in calls {
            trainer_guard_enter(call.name, entry)
            let status = call.function(call.instance, c)
            trainer_guard_leave()
            if current.changed {
                // A plugin added to the logs (trainer.logs/1): the next ones see its values.
                current.changed = false
                c = mirror(logs)
            }
            if status != TRAINER_STATUS_OK {
                throw instances[call.plugin].hookFailure(hook)
            }
        }
    }

    @inline(__always)
    private func run(_ calls: ContiguousArray<Call<trainer_indexed_hook_fn>>?, _ hook: PluginHook,
                     _ index: Int, _ logs: Logs) throws {
        guard let calls, !calls.isEmpty else { return }
        var c = mirror(logs)
        let entry = hook.guardName
        current.logs = logs
        defer { current.logs = nil }
        for call in calls {
            trainer_guard_enter(call.name, entry)
            let status = call.function(call.instance, Int64(index), c)
            trainer_guard_leave()
            if current.changed {
                current.changed = false
                c = mirror(logs)
            }
            if status != TRAINER_STATUS_OK {
                throw instances[call.plugin].hookFailure(hook)
            }
        }
    }

    public func trainBegin(logs: Logs) throws { try run(plain[.trainBegin], .trainBegin, logs) }
    public func trainEnd(logs: Logs) throws { try run(plain[.trainEnd], .trainEnd, logs) }
    public func epochBegin(_ epoch: Int, logs: Logs) throws { try run(indexed[.epochBegin], .epochBegin, epoch, logs) }
    public func epochEnd(_ epoch: Int, logs: Logs) throws { try run(indexed[.epochEnd], .epochEnd, epoch, logs) }
    public func trainBatchBegin(_ batch: Int, logs: Logs) throws { try run(trainBatchBeginCalls, .trainBatchBegin, batch, logs) }
    public func trainBatchEnd(_ batch: Int, logs: Logs) throws { try run(trainBatchEndCalls, .trainBatchEnd, batch, logs) }
    public func testBegin(logs: Logs) throws { try run(plain[.testBegin], .testBegin, logs) }
    public func testEnd(logs: Logs) throws { try run(plain[.testEnd], .testEnd, logs) }
    public func testBatchBegin(_ batch: Int, logs: Logs) throws { try run(testBatchBeginCalls, .testBatchBegin, batch, logs) }
    public func testBatchEnd(_ batch: Int, logs: Logs) throws { try run(testBatchEndCalls, .testBatchEnd, batch, logs) }
    public func predictBegin(logs: Logs) throws { try run(plain[.predictBegin], .predictBegin, logs) }
    public func predictEnd(logs: Logs) throws { try run(plain[.predictEnd], .predictEnd, logs) }
    public func predictBatchBegin(_ batch: Int, logs: Logs) throws { try run(predictBatchBeginCalls, .predictBatchBegin, batch, logs) }
    public func predictBatchEnd(_ batch: Int, logs: Logs) throws { try run(predictBatchEndCalls, .predictBatchEnd, batch, logs) }
}
