import TrainerPluginSDK

/// What `write_graph` writes instead of Keras's graphs. Keras writes the model's JSON
/// configuration (for the "graph_keras_model" plugin) and the TensorFlow graph of its train
/// function; this engine has no TensorFlow graph and the plugin ABI does not describe layers,
/// so the plugin writes only what the host does show, the weight tensors, as a Markdown table
/// for TensorBoard's text dashboard:
///
///     | weight | shape | parameters |
///     |---|---|---|
///     | dense/kernel | 784 × 128 | 100,352 |
///     ...
///
///     Total parameters: 101,770
enum ModelSummary {
    /// The summary's tag, in train/ at step 0.
    static let tag = "model_summary"

    static func markdown(_ weights: [TensorView]) -> String {
        var text = "Weights of the model, as the host shows them (trainer has no graph to draw).\n\n"
        text += "| weight | shape | parameters |\n|---|---|---|\n"
        var total = 0
        for weight in weights {
            let count = weight.shape.reduce(1, *)
            total += count
            let shape = weight.shape.isEmpty ? "scalar" : weight.shape.map(String.init).joined(separator: " × ")
            text += "| \(escape(weight.name)) | \(shape) | \(grouped(count)) |\n"
        }
        text += "\nTotal parameters: \(grouped(total))\n"
        return text
    }

    /// A name safe inside a Markdown table cell.
    private static func escape(_ name: String) -> String {
        var out = ""
        for character in name {
            if character == "|" || character == "\\" || character == "*" || character == "_" || character == "`" {
                out.append("\\")
            }
            out.append(character == "\n" ? " " : character)
        }
        return out
    }

    /// 100352 -> "100,352".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
