import CTrainerPlugin
import Foundation
import TrainerEngine

/// Log names as C strings, made once per distinct name and kept for the life of the process
/// (a run has a handful of names; plugins may hold none of them past a call anyway).
enum LogNames {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var table: [String: UnsafePointer<CChar>] = [:]

    static func cString(_ name: String) -> UnsafePointer<CChar> {
        lock.lock()
        defer { lock.unlock() }
        if let existing = table[name] { return existing }
        let made = UnsafePointer(strdup(name)!)
        table[name] = made
        return made
    }
}

/// A `trainer_logs_t` mirroring one engine `Logs` object, at a stable address. Refilling it
/// copies the values; names are translated again only when the Logs' names changed, so a
/// refill during training allocates nothing.
final class CLogs {
    let logs: UnsafeMutablePointer<trainer_logs_t>
    private var items: UnsafeMutablePointer<trainer_log_item_t>
    private var capacity: Int
    private var generation = -1
    private(set) weak var source: Logs?

    init(capacity: Int = 16) {
        self.capacity = capacity
        items = .allocate(capacity: capacity)
        logs = .allocate(capacity: 1)
        logs.initialize(to: trainer_logs_t(
            struct_size: UInt32(MemoryLayout<trainer_logs_t>.size), count: 0, items: nil))
    }

    deinit {
        items.deallocate()
        logs.deallocate()
    }

    /// An empty set (Keras's `logs=None`).
    static let empty: UnsafeMutablePointer<trainer_logs_t> = {
        let pointer = UnsafeMutablePointer<trainer_logs_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_logs_t(
            struct_size: UInt32(MemoryLayout<trainer_logs_t>.size), count: 0, items: nil))
        return pointer
    }()

    func fill(from source: Logs) -> UnsafePointer<trainer_logs_t> {
        let count = source.count
        if source !== self.source || source.generation != generation {
            if count > capacity {
                items.deallocate()
                capacity = count
                items = .allocate(capacity: capacity)
            }
            for i in 0..<count {
                items[i] = trainer_log_item_t(name: LogNames.cString(source.names[i]), value: 0)
            }
            self.source = source
            generation = source.generation
            logs.pointee.count = UInt32(count)
            logs.pointee.items = count == 0 ? nil : UnsafePointer(items)
        }
        source.values.withUnsafeBufferPointer { values in
            for i in 0..<count { items[i].value = values[i] }
        }
        return UnsafePointer(logs)
    }
}
