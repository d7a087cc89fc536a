import TrainerEngine

/// Logs in the order they were recorded: one epoch's, or one batch's.
public struct RecordedLogs: Sendable, Equatable {
    public var items: [(name: String, value: Double)]

    public init(_ items: [(name: String, value: Double)]) {
        self.items = items
    }

    public static func == (a: RecordedLogs, b: RecordedLogs) -> Bool {
        a.items.map(\.name) == b.items.map(\.name)
            && zip(a.items, b.items).allSatisfy { $0.value == $1.value || ($0.value.isNaN && $1.value.isNaN) }
    }

    /// Reads a JSON object of numbers (key order as Keras sorts logs: by name).
    init(_ object: [String: JSONValue], context: String) throws {
        items = try object.keys.sorted().map { key in
            guard let value = object[key]!.logValue else {
                throw UsageProblem("\(context): \(key) is not a number")
            }
            return (key, value)
        }
    }

    /// Fills an engine Logs object (reusing it when the names match).
    func fill(_ logs: Logs) {
        let names = items.map(\.name)
        if logs.names != names { logs.setNames(names) }
        for (i, item) in items.enumerated() { logs.values[i] = item.value }
    }
}
