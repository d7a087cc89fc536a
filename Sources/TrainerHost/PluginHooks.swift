import CTrainerPlugin

/// The Keras hooks, in the order of `trainer_hooks_t`.
public enum PluginHook: String, CaseIterable, Codable, Sendable {
    case trainBegin = "on_train_begin"
    case trainEnd = "on_train_end"
    case epochBegin = "on_epoch_begin"
    case epochEnd = "on_epoch_end"
    case trainBatchBegin = "on_train_batch_begin"
    case trainBatchEnd = "on_train_batch_end"
    case testBegin = "on_test_begin"
    case testEnd = "on_test_end"
    case testBatchBegin = "on_test_batch_begin"
    case testBatchEnd = "on_test_batch_end"
    case predictBegin = "on_predict_begin"
    case predictEnd = "on_predict_end"
    case predictBatchBegin = "on_predict_batch_begin"
    case predictBatchEnd = "on_predict_batch_end"
}

extension trainer_hooks_t {
    /// The hooks this table provides, in declaration order.
    var provided: [PluginHook] {
        var hooks: [PluginHook] = []
        if on_train_begin != nil { hooks.append(.trainBegin) }
        if on_train_end != nil { hooks.append(.trainEnd) }
        if on_epoch_begin != nil { hooks.append(.epochBegin) }
        if on_epoch_end != nil { hooks.append(.epochEnd) }
        if on_train_batch_begin != nil { hooks.append(.trainBatchBegin) }
        if on_train_batch_end != nil { hooks.append(.trainBatchEnd) }
        if on_test_begin != nil { hooks.append(.testBegin) }
        if on_test_end != nil { hooks.append(.testEnd) }
        if on_test_batch_begin != nil { hooks.append(.testBatchBegin) }
        if on_test_batch_end != nil { hooks.append(.testBatchEnd) }
        if on_predict_begin != nil { hooks.append(.predictBegin) }
        if on_predict_end != nil { hooks.append(.predictEnd) }
        if on_predict_batch_begin != nil { hooks.append(.predictBatchBegin) }
        if on_predict_batch_end != nil { hooks.append(.predictBatchEnd) }
        return hooks
    }
}

extension trainer_hooks_t {
    /// This table with only `hooks` kept (the others NULL).
    func keeping(_ hooks: [PluginHook]) -> trainer_hooks_t {
        var table = self
        for hook in PluginHook.allCases where !hooks.contains(hook) {
            switch hook {
            case .trainBegin: table.on_train_begin = nil
            case .trainEnd: table.on_train_end = nil
            case .epochBegin: table.on_epoch_begin = nil
            case .epochEnd: table.on_epoch_end = nil
            case .trainBatchBegin: table.on_train_batch_begin = nil
            case .trainBatchEnd: table.on_train_batch_end = nil
            case .testBegin: table.on_test_begin = nil
            case .testEnd: table.on_test_end = nil
            case .testBatchBegin: table.on_test_batch_begin = nil
            case .testBatchEnd: table.on_test_batch_end = nil
            case .predictBegin: table.on_predict_begin = nil
            case .predictEnd: table.on_predict_end = nil
            case .predictBatchBegin: table.on_predict_batch_begin = nil
            case .predictBatchEnd: table.on_predict_batch_end = nil
            }
        }
        return table
    }
}
