import CTrainerPlugin
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The numbers Keras passes to callbacks as `logs`: named doubles, in the host's order.
///
/// A hook receives a read-only *view* over the host's C array: nothing is copied, and the view
/// is valid only until the hook returns. Call `copy()` (or build an array or dictionary from
/// it) to keep values longer.
///
/// ```swift
/// if let loss = logs["loss"] { ... }
/// for (name, value) in logs where name != "learning_rate" { ... }
/// ```
public struct Logs: Sequence {
    private enum Storage {
        case borrowed(UnsafePointer<trainer_log_item_t>?, Int)
        case owned([(name: String, value: Double)])
    }

    private let storage: Storage

    /// A view over the host's logs (borrowed: valid for the current call only). A NULL pointer
    /// or a struct too short to hold its items reads as empty.
    public init(borrowing logs: UnsafePointer<trainer_logs_t>?) {
        guard let logs,
              logs.pointee.struct_size >= MemoryLayout<trainer_logs_t>.size,
              logs.pointee.count > 0, let items = logs.pointee.items
        else {
            storage = .borrowed(nil, 0)
            return
        }
        storage = .borrowed(items, Int(logs.pointee.count))
    }

    /// Owned logs with these pairs, in order.
    public init(_ pairs: [(name: String, value: Double)]) {
        storage = .owned(pairs)
    }

    /// Empty logs (Keras's `logs=None`).
    public init() {
        storage = .owned([])
    }

    /// Number of values.
    public var count: Int {
        switch storage {
        case .borrowed(_, let count): return count
        case .owned(let pairs): return pairs.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The value named `name`, or nil when the logs have none of that name.
    public subscript(name: String) -> Double? {
        switch storage {
        case .borrowed(let items, let count):
            guard let items else { return nil }
            return name.withCString { wanted in
                for i in 0..<count {
                    if let itemName = items[i].name, strcmp(itemName, wanted) == 0 {
                        return items[i].value
                    }
                }
                return nil
            }
        case .owned(let pairs):
            return pairs.first(where: { $0.name == name })?.value
        }
    }

    /// The `index`th pair, 0 ..< count.
    public subscript(index: Int) -> (name: String, value: Double) {
        switch storage {
        case .borrowed(let items, let count):
            precondition(index >= 0 && index < count, "Logs index out of range")
            let item = items![index]
            return (item.name.map { String(cString: $0) } ?? "", item.value)
        case .owned(let pairs):
            return pairs[index]
        }
    }

    /// The names, in order.
    public var names: [String] { map(\.name) }

    /// An owned copy that stays valid after the hook returns.
    public func copy() -> Logs {
        if case .owned = storage { return self }
        return Logs(Array(self))
    }

    /// The values by name (order lost; a repeated name keeps its last value).
    public var dictionary: [String: Double] {
        var result: [String: Double] = [:]
        for (name, value) in self { result[name] = value }
        return result
    }

    public struct Iterator: IteratorProtocol {
        private let logs: Logs
        private var index = 0

        fileprivate init(_ logs: Logs) {
            self.logs = logs
        }

        public mutating func next() -> (name: String, value: Double)? {
            guard index < logs.count else { return nil }
            defer { index += 1 }
            return logs[index]
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    public var underestimatedCount: Int { count }
}

extension Logs: CustomStringConvertible {
    public var description: String {
        "[" + map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
