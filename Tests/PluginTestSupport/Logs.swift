import CTrainerPlugin
import Foundation

/// Builds the `trainer_logs_t` the host passes to a hook from (name, value) pairs, in order,
/// and runs `body` with it. Like the host's, the logs and their names are borrowed: valid for
/// the duration of `body` only. No pairs give count 0 and items NULL, as for Keras's
/// `logs=None`.
public func withLogs<R>(_ pairs: [(String, Double)], _ body: (UnsafePointer<trainer_logs_t>) -> R) -> R {
    let names = pairs.map { strdup($0.0)! }
    defer { names.forEach { free($0) } }
    let items = zip(names, pairs).map { trainer_log_item_t(name: UnsafePointer($0), value: $1.1) }
    return items.withUnsafeBufferPointer { buffer in
        var logs = trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size),
                                  count: UInt32(items.count), items: items.isEmpty ? nil : buffer.baseAddress)
        return body(&logs)
    }
}
