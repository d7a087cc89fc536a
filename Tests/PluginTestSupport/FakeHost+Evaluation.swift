import CTrainerPlugin
import Foundation

/// The C copies behind the logs evaluate returns: valid until the next evaluate or until the
/// host goes away, which covers "until the current hook returns".
struct EvaluationStorage {
    let names: [UnsafeMutablePointer<CChar>]
    let items: UnsafeMutableBufferPointer<trainer_log_item_t>
    let logs: UnsafeMutablePointer<trainer_logs_t>

    init(_ pairs: [(String, Double)]) {
        names = pairs.map { strdup($0.0)! }
        items = .allocate(capacity: max(pairs.count, 1))
        for (i, (name, pair)) in zip(names, pairs).enumerated() {
            items[i] = trainer_log_item_t(name: UnsafePointer(name), value: pair.1)
        }
        logs = .allocate(capacity: 1)
        logs.initialize(to: trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size),
                                           count: UInt32(pairs.count),
                                           items: pairs.isEmpty ? nil : UnsafePointer(items.baseAddress)))
    }

    func release() {
        names.forEach { free($0) }
        items.deallocate()
        logs.deallocate()
    }
}

/// evaluate: the logs a test put in `evaluation`, or a failure when there are none.
extension FakeHost {
    func evaluate(_ out: UnsafeMutablePointer<UnsafePointer<trainer_logs_t>?>?) -> trainer_status_t {
        guard let evaluation, let out else { return statusError }
        evaluationStorage?.release()
        let storage = EvaluationStorage(evaluation)
        evaluationStorage = storage
        out.pointee = UnsafePointer(storage.logs)
        return statusOK
    }
}
