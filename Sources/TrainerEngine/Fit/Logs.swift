/// Named values passed to callbacks, as Keras's `logs` dictionary.
///
/// One `Logs` object is reused for a whole phase: the fit loop sets its names once, then
/// updates `values` in place, so handing logs to callbacks allocates nothing. Readers that
/// cache a translation of the names (the plugin host does) watch `generation`.
public final class Logs {
    public private(set) var names: [String] = []
    public var values: [Double] = []
    /// Changes whenever `names` changes.
    public private(set) var generation = 0

    public init(names: [String] = []) {
        setNames(names)
    }

    public var count: Int { names.count }

    /// Replaces the names; values are set to zero.
    public func setNames(_ newNames: [String]) {
        names = newNames
        values = Array(repeating: 0, count: newNames.count)
        generation &+= 1
    }

    /// Removes every name (Keras's `logs=None`).
    public func clear() {
        if !names.isEmpty { setNames([]) }
    }

    /// The value named `name`, if present.
    public subscript(name: String) -> Double? {
        guard let i = names.firstIndex(of: name) else { return nil }
        return values[i]
    }

    /// Copies names and values from `other` (allocates only when the names differ).
    public func copy(from other: Logs) {
        if names != other.names { setNames(other.names) }
        for i in 0..<other.values.count { values[i] = other.values[i] }
    }

    /// The pairs, in order.
    public var pairs: [(name: String, value: Double)] {
        Array(zip(names, values)).map { (name: $0.0, value: $0.1) }
    }
}
