/// The per-epoch logs of a `fit` run (Keras's `History`).
public final class History {
    /// Epoch indices, in the order they ran.
    public private(set) var epochs: [Int] = []
    /// Names of the logged values (`loss`, `accuracy`, `val_loss`, ..., `learning_rate`).
    public private(set) var names: [String] = []
    /// `values[name][i]` is `name` at the end of `epochs[i]`.
    public private(set) var values: [String: [Double]] = [:]

    public init() {}

    func record(epoch: Int, logs: Logs) {
        epochs.append(epoch)
        for (i, name) in logs.names.enumerated() {
            if values[name] == nil { names.append(name) }
            values[name, default: []].append(logs.values[i])
        }
    }

    /// The values of `name` per epoch (empty when never logged).
    public subscript(name: String) -> [Double] { values[name] ?? [] }
}
