/// Named values passed to callbacks, as Keras's `logs` dictionary.
///
/// One `Logs` object is reused for a whole phase: the fit loop sets its names once, then
/// updates `values` in place, so handing logs to callbacks allocates nothing. Readers that
/// cache a translation of the names (the plugin host does) watch `generation`.
///
/// Callbacks may add values (`set`, as a Keras callback writes `logs["val_f1"] = ...`); the
/// owner takes them out again with `removeAdded()` before the next batch or epoch refills it.
public final class Logs {
    public private(set) var names: [String] = []
    public var values: [Double] = []
    /// Changes whenever `names` changes.
    public private(set) var generation = 0
    /// How many of `names` the owner set (`setNames`); names past them were added by `set`.
    public private(set) var ownCount = 0

    public init(names: [String] = []) {
        setNames(names)
    }

    public var count: Int { names.count }

    /// Replaces the names; values are set to zero.
    public func setNames(_ newNames: [String]) {
        names = newNames
        values = Array(repeating: 0, count: newNames.count)
        ownCount = newNames.count
        generation &+= 1
    }

    /// Sets `name` to `value`: replaces the value when the logs hold the name, else appends it.
    public func set(_ name: String, _ value: Double) {
        if let i = names.firstIndex(of: name) {
            values[i] = value
            return
        }
        names.append(name)
        values.append(value)
        generation &+= 1
    }

    /// Removes the names `set` appended, keeping the storage (no allocation when they come back).
    @inline(__always)
    public func removeAdded() {
        if names.count > ownCount { truncateAdded() }
    }

    private func truncateAdded() {
        names.removeLast(names.count - ownCount)
        values.removeLast(values.count - ownCount)
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
        if names != other.names || ownCount != other.names.count { setNames(other.names) }
        for i in 0..<other.values.count { values[i] = other.values[i] }
    }

    /// The pairs, in order.
    public var pairs: [(name: String, value: Double)] {
        Array(zip(names, values)).map { (name: $0.0, value: $0.1) }
    }
}
