/// Keras's `model.summary()`.
extension Sequential {
    /// A table of layers (name and type, output shape, parameter count) and the totals, drawn
    /// as Keras 3 draws it.
    public func summary() -> String {
        let rows: [(String, String, String)] = layers.map { layer in
            ("\(layer.name) (\(layer.kerasClassName))",
             isBuilt ? Sequential.shapeText(layer.outputShape) : "?",
             isBuilt ? Sequential.grouped(layer.parameterCount) : "0 (unbuilt)")
        }
        let header = ("Layer (type)", "Output Shape", "Param #")
        let w0 = max(31, rows.map(\.0.count).max() ?? 0, header.0.count)
        let w1 = max(22, rows.map(\.1.count).max() ?? 0)
        let w2 = max(13, rows.map(\.2.count).max() ?? 0)

        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func padLeft(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func rule(_ l: String, _ m: String, _ r: String, _ h: String) -> String {
            l + String(repeating: h, count: w0 + 2) + m + String(repeating: h, count: w1 + 2) + m
                + String(repeating: h, count: w2 + 2) + r
        }

        var lines = ["Model: \"\(name)\""]
        lines.append(rule("┏", "┳", "┓", "━"))
        lines.append("┃ \(pad(header.0, w0)) ┃ \(pad(header.1, w1)) ┃ \(padLeft(header.2, w2)) ┃")
        lines.append(rule("┡", "╇", "┩", "━"))
        for (i, row) in rows.enumerated() {
            lines.append("│ \(pad(row.0, w0)) │ \(pad(row.1, w1)) │ \(padLeft(row.2, w2)) │")
            lines.append(i == rows.count - 1 ? rule("└", "┴", "┘", "─") : rule("├", "┼", "┤", "─"))
        }
        let all = weights
        let total = all.reduce(0) { $0 + $1.count }
        let trainable = all.filter(\.isTrainable).reduce(0) { $0 + $1.count }
        lines.append(" Total params: \(Sequential.grouped(total)) (\(Sequential.memorySize(total * 4)))")
        lines.append(" Trainable params: \(Sequential.grouped(trainable)) (\(Sequential.memorySize(trainable * 4)))")
        lines.append(" Non-trainable params: \(Sequential.grouped(total - trainable)) (\(Sequential.memorySize((total - trainable) * 4)))")
        return lines.joined(separator: "\n")
    }

    /// `(None, 28, 28, 32)`.
    static func shapeText(_ shape: [Int]) -> String {
        "(" + (["None"] + shape.map(String.init)).joined(separator: ", ") + ")"
    }

    /// `100480` -> `100,480`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    /// Keras's `readable_memory_size`: `397.54 KB`.
    static func memorySize(_ bytes: Int) -> String {
        var size = Double(bytes)
        for unit in ["B", "KB", "MB", "GB", "TB"] {
            if size / 1024 < 1 || unit == "TB" { return formatFixed(size, decimals: 2) + " " + unit }
            size /= 1024
        }
        return ""
    }

    /// `value` with exactly `decimals` digits after the point (rounded half away from zero).
    static func formatFixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled) - whole * Int(scale)
        var fractionText = String(fraction)
        while fractionText.count < decimals { fractionText = "0" + fractionText }
        return (value < 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + fractionText : "")
    }
}
