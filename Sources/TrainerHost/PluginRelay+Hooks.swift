import CTrainerPlugin

extension PluginRelay {
    /// The table the dispatcher calls for this relay: the trampolines of the hooks the
    /// plugin's instance has, each a C function whose instance pointer is the relay.
    var hookTable: trainer_hooks_t { Self.trampolines.keeping(hooks) }

    @inline(__always)
    private static func relay(_ instance: UnsafeMutableRawPointer?) -> PluginRelay {
        Unmanaged<PluginRelay>.fromOpaque(instance!).takeUnretainedValue()
    }

    /// One trampoline per field of `trainer_hooks_t`, in its order.
    private static let trampolines = trainer_hooks_t(
        struct_size: UInt32(MemoryLayout<trainer_hooks_t>.size),
        on_train_begin: { relay($0).call(.trainBegin, 0, $1) },
        on_train_end: { relay($0).call(.trainEnd, 0, $1) },
        on_epoch_begin: { relay($0).call(.epochBegin, $1, $2) },
        on_epoch_end: { relay($0).call(.epochEnd, $1, $2) },
        on_train_batch_begin: { relay($0).call(.trainBatchBegin, $1, $2) },
        on_train_batch_end: { relay($0).call(.trainBatchEnd, $1, $2) },
        on_test_begin: { relay($0).call(.testBegin, 0, $1) },
        on_test_end: { relay($0).call(.testEnd, 0, $1) },
        on_test_batch_begin: { relay($0).call(.testBatchBegin, $1, $2) },
        on_test_batch_end: { relay($0).call(.testBatchEnd, $1, $2) },
        on_predict_begin: { relay($0).call(.predictBegin, 0, $1) },
        on_predict_end: { relay($0).call(.predictEnd, 0, $1) },
        on_predict_batch_begin: { relay($0).call(.predictBatchBegin, $1, $2) },
        on_predict_batch_end: { relay($0).call(.predictBatchEnd, $1, $2) })
}
