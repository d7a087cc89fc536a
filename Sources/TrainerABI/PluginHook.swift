import CTrainerPlugin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fourteen Keras hooks of `trainer_hooks_t`, in its order: the one list the host's
/// dispatcher, the plugin host's relay, the validator and the Swift SDK derive their tables from.
/// A raw value is the hook's C name.
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

    /// The field of a hook that takes logs alone (`trainer_hook_fn`).
    public typealias PlainField = WritableKeyPath<trainer_hooks_t, trainer_hook_fn?>
    /// The field of a hook that takes an epoch or batch index too (`trainer_indexed_hook_fn`).
    public typealias IndexedField = WritableKeyPath<trainer_hooks_t, trainer_indexed_hook_fn?>

    /// Its field in `trainer_hooks_t`: plain or indexed, never both.
    public var field: (plain: PlainField?, indexed: IndexedField?) {
        switch self {
        case .trainBegin: return (\.on_train_begin, nil)
        case .trainEnd: return (\.on_train_end, nil)
        case .epochBegin: return (nil, \.on_epoch_begin)
        case .epochEnd: return (nil, \.on_epoch_end)
        case .trainBatchBegin: return (nil, \.on_train_batch_begin)
        case .trainBatchEnd: return (nil, \.on_train_batch_end)
        case .testBegin: return (\.on_test_begin, nil)
        case .testEnd: return (\.on_test_end, nil)
        case .testBatchBegin: return (nil, \.on_test_batch_begin)
        case .testBatchEnd: return (nil, \.on_test_batch_end)
        case .predictBegin: return (\.on_predict_begin, nil)
        case .predictEnd: return (\.on_predict_end, nil)
        case .predictBatchBegin: return (nil, \.on_predict_batch_begin)
        case .predictBatchEnd: return (nil, \.on_predict_batch_end)
        }
    }

    /// Its place in `trainer_hooks_t` (0 for on_train_begin ... 13), as the relay's wire and
    /// the dispatcher's tables number hooks.
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .trainBegin: return 0
        case .trainEnd: return 1
        case .epochBegin: return 2
        case .epochEnd: return 3
        case .trainBatchBegin: return 4
        case .trainBatchEnd: return 5
        case .testBegin: return 6
        case .testEnd: return 7
        case .testBatchBegin: return 8
        case .testBatchEnd: return 9
        case .predictBegin: return 10
        case .predictEnd: return 11
        case .predictBatchBegin: return 12
        case .predictBatchEnd: return 13
        }
    }

    /// The hook's C name as a C string that lives until exit (for the crash guard, which may
    /// print it from a signal handler).
    public var cName: UnsafePointer<CChar> { Self.cNames[ordinal] }
    private static let cNames: [UnsafePointer<CChar>] = allCases.map { UnsafePointer(strdup($0.rawValue)!) }

}

extension trainer_hooks_t {
    /// Whether the table sets `hook`.
    public func provides(_ hook: PluginHook) -> Bool {
        let (plain, indexed) = hook.field
        if let plain { return self[keyPath: plain] != nil }
        return self[keyPath: indexed!] != nil
    }

    /// The hooks this table provides, in declaration order.
    public var provided: [PluginHook] { PluginHook.allCases.filter { provides($0) } }

    /// This table with only `hooks` kept (the others NULL).
    public func keeping(_ hooks: [PluginHook]) -> trainer_hooks_t {
        var table = self
        for hook in PluginHook.allCases where !hooks.contains(hook) {
            let (plain, indexed) = hook.field
            if let plain { table[keyPath: plain] = nil }
            if let indexed { table[keyPath: indexed] = nil }
        }
        return table
    }
}
