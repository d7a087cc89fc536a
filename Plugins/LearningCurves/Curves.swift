import TrainerPluginSDK

/// The epochs seen so far and every logged value, grouped as the picture shows them: one
/// quantity per panel (`loss` first, then each metric in the order it first appeared), each
/// with its training series (`accuracy`) and its validation series (`val_accuracy`).
/// `learning_rate` is the optimizer's, not a quantity the model is judged by, and is left out.
struct Curves {
    /// A quantity of one panel: the training and the validation log names it draws, when the
    /// logs have them.
    struct Quantity: Equatable {
        var name: String
        var training: String?
        var validation: String?
    }

    /// Epoch indices (0-based), in the order they ended.
    private(set) var epochs: [Int] = []
    /// Log names in order of first appearance, and one entry per epoch for each (nil: the
    /// epoch's logs had no such value).
    private(set) var names: [String] = []
    private(set) var series: [String: [Double?]] = [:]

    /// Log names that are not drawn.
    static let ignored: Set<String> = ["learning_rate", "lr"]

    init() {}

    init(epochs: [Int], names: [String], series: [String: [Double?]]) {
        (self.epochs, self.names, self.series) = (epochs, names, series)
    }

    /// Appends one epoch's logs.
    mutating func append(epoch: Int, logs: [(name: String, value: Double)]) {
        epochs.append(epoch)
        for (name, _) in logs where series[name] == nil && !Self.ignored.contains(name) {
            names.append(name)
            series[name] = Array(repeating: nil, count: epochs.count - 1)
        }
        for name in names {
            series[name]!.append(logs.first { $0.name == name }?.value)
        }
    }

    /// The panels: `loss` first, then the others in order of first appearance; a validation
    /// value without its training value (`val_x` alone) gets a panel of its own.
    var quantities: [Quantity] {
        var order: [String] = []
        var found: [String: Quantity] = [:]
        for name in names {
            let isValidation = name.hasPrefix("val_") && name.count > 4
            let base = isValidation ? String(name.dropFirst(4)) : name
            if found[base] == nil {
                order.append(base)
                found[base] = Quantity(name: base)
            }
            if isValidation { found[base]!.validation = name } else { found[base]!.training = name }
        }
        if let loss = order.firstIndex(of: "loss") {
            order.remove(at: loss)
            order.insert("loss", at: 0)
        }
        return order.map { found[$0]! }
    }
}
