// The hook table of a plugin type: the C trampolines of the protocols it adopts.

import CTrainerPlugin
import TrainerABI
import SwiftToolchain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func makeHooks<Plugin: TrainerCallback>(
    _ plugin: Plugin.Type
) -> UnsafeMutablePointer<trainer_hooks_t> {
    let hooks = UnsafeMutablePointer<trainer_hooks_t>.allocate(capacity: 1)
    hooks.initialize(to: trampolines.keeping(PluginHook.allCases.filter { plugin.adopts($0) }))
    return hooks
}

extension TrainerCallback {
    /// Whether the plugin adopts the protocol of `hook` (`OnEpochEnd` for on_epoch_end, ...).
    static func adopts(_ hook: PluginHook) -> Bool {
        switch hook {
        case .trainBegin: return self is any OnTrainBegin.Type
        case .trainEnd: return self is any OnTrainEnd.Type
        case .epochBegin: return self is any OnEpochBegin.Type
        case .epochEnd: return self is any OnEpochEnd.Type
        case .trainBatchBegin: return self is any OnTrainBatchBegin.Type
        case .trainBatchEnd: return self is any OnTrainBatchEnd.Type
        case .testBegin: return self is any OnTestBegin.Type
        case .testEnd: return self is any OnTestEnd.Type
        case .testBatchBegin: return self is any OnTestBatchBegin.Type
        case .testBatchEnd: return self is any OnTestBatchEnd.Type
        case .predictBegin: return self is any OnPredictBegin.Type
        case .predictEnd: return self is any OnPredictEnd.Type
        case .predictBatchBegin: return self is any OnPredictBatchBegin.Type
        case .predictBatchEnd: return self is any OnPredictBatchEnd.Type
        }
    }
}

/// One C function per field of `trainer_hooks_t`, each calling the instance's hook; a plugin's
/// table keeps those of the protocols it adopts (the others are NULL and cost nothing).
let trampolines = trainer_hooks_t(
    struct_size: UInt32(MemoryLayout<trainer_hooks_t>.size),
    on_train_begin: { p, logs in
        withInstance(p, .trainBegin) { try $0.trainBegin?.onTrainBegin(logs: Logs(borrowing: logs)) }
    },
    on_train_end: { p, logs in
        withInstance(p, .trainEnd) { try $0.trainEnd?.onTrainEnd(logs: Logs(borrowing: logs)) }
    },
    on_epoch_begin: { p, epoch, logs in
        withInstance(p, .epochBegin) { try $0.epochBegin?.onEpochBegin(epoch: Int(epoch), logs: Logs(borrowing: logs)) }
    },
    on_epoch_end: { p, epoch, logs in
        withInstance(p, .epochEnd) { try $0.epochEnd?.onEpochEnd(epoch: Int(epoch), logs: Logs(borrowing: logs)) }
    },
    on_train_batch_begin: { p, batch, logs in
        withInstance(p, .trainBatchBegin) {
            try $0.trainBatchBegin?.onTrainBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    },
    on_train_batch_end: { p, batch, logs in
        withInstance(p, .trainBatchEnd) { try $0.trainBatchEnd?.onTrainBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_test_begin: { p, logs in
        withInstance(p, .testBegin) { try $0.testBegin?.onTestBegin(logs: Logs(borrowing: logs)) }
    },
    on_test_end: { p, logs in
        withInstance(p, .testEnd) { try $0.testEnd?.onTestEnd(logs: Logs(borrowing: logs)) }
    },
    on_test_batch_begin: { p, batch, logs in
        withInstance(p, .testBatchBegin) { try $0.testBatchBegin?.onTestBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_test_batch_end: { p, batch, logs in
        withInstance(p, .testBatchEnd) { try $0.testBatchEnd?.onTestBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs)) }
    },
    on_predict_begin: { p, logs in
        withInstance(p, .predictBegin) { try $0.predictBegin?.onPredictBegin(logs: Logs(borrowing: logs)) }
    },
    on_predict_end: { p, logs in
        withInstance(p, .predictEnd) { try $0.predictEnd?.onPredictEnd(logs: Logs(borrowing: logs)) }
    },
    on_predict_batch_begin: { p, batch, logs in
        withInstance(p, .predictBatchBegin) {
            try $0.predictBatchBegin?.onPredictBatchBegin(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    },
    on_predict_batch_end: { p, batch, logs in
        withInstance(p, .predictBatchEnd) {
            try $0.predictBatchEnd?.onPredictBatchEnd(batch: Int(batch), logs: Logs(borrowing: logs))
        }
    })
