/// Draws `Curves` as a standalone SVG document: one panel per quantity, in a grid of two
/// columns (one when there is a single quantity), each with its training curve (blue) and its
/// validation curve (orange) against the epoch (1-based, as Keras prints it), ticked and
/// labelled axes, a title and a legend.
///
/// A curve is a `<polyline class="training|validation" data-quantity="NAME">` per run of
/// consecutive finite values: a NaN, an infinity or a missing value leaves a gap. Each point
/// also gets a dot while there are at most 60 epochs, so a single epoch is visible.
struct SVGChart {
    let width: Int

    static let trainingColor = "#1f77b4"
    static let validationColor = "#ff7f0e"

    /// Panel margins around the plot area, in pixels.
    private let left = 64.0, right = 16.0, top = 36.0, bottom = 46.0

    func render(_ curves: Curves) -> String {
        let quantities = curves.quantities
        let columns = quantities.count > 1 ? 2 : 1
        let rows = max(1, (quantities.count + columns - 1) / columns)
        let panelWidth = Double(width) / Double(columns)
        let panelHeight = (panelWidth * 0.62).rounded()
        let height = Int(panelHeight) * rows

        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        svg += "viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        svg += "<title>Learning curves, \(curves.epochs.count) epoch\(curves.epochs.count == 1 ? "" : "s")</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
        if quantities.isEmpty {
            svg += "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#555555\">no values logged yet</text>\n"
        }
        for (index, quantity) in quantities.enumerated() {
            let x = Double(index % columns) * panelWidth
            let y = Double(index / columns) * panelHeight
            svg += panel(quantity, curves, x: x, y: y, width: panelWidth, height: panelHeight)
        }
        svg += "</svg>\n"
        return svg
    }

    private func panel(_ quantity: Curves.Quantity, _ curves: Curves,
                       x: Double, y: Double, width: Double, height: Double) -> String {
        let epochs = curves.epochs.map { Double($0 + 1) }
        let drawn: [(kind: String, name: String, color: String)] =
            [(quantity.training, "training", Self.trainingColor), (quantity.validation, "validation", Self.validationColor)]
            .compactMap { name, kind, color in name.map { (kind, $0, color) } }
        let finite = drawn.flatMap { curves.series[$0.name]!.compactMap { $0 }.filter(\.isFinite) }

        let xTicks = Ticks(low: epochs.min() ?? 1, high: epochs.max() ?? 1, count: 6, integers: true)
        let yTicks = Ticks(low: finite.min() ?? 0, high: finite.max() ?? 1, count: 5)
        let plot = (x0: x + left, y0: y + top, x1: x + width - right, y1: y + height - bottom)
        func px(_ epoch: Double) -> Double {
            plot.x0 + (epoch - xTicks.lower) / (xTicks.upper - xTicks.lower) * (plot.x1 - plot.x0)
        }
        func py(_ value: Double) -> Double {
            plot.y1 - (value - yTicks.lower) / (yTicks.upper - yTicks.lower) * (plot.y1 - plot.y0)
        }

        var s = "<g class=\"panel\" data-quantity=\"\(escape(quantity.name))\">\n"
        s += "<text x=\"\(n(plot.x0))\" y=\"\(n(y + 22))\" text-anchor=\"start\" font-size=\"14\" "
        s += "font-weight=\"bold\" fill=\"#222222\">\(escape(quantity.name))</text>\n"
        // Grid, ticks and their labels.
        for value in yTicks.values {
            let ty = n(py(value))
            s += "<line x1=\"\(n(plot.x0))\" y1=\"\(ty)\" x2=\"\(n(plot.x1))\" y2=\"\(ty)\" stroke=\"#e6e6e6\"/>\n"
            s += "<line x1=\"\(n(plot.x0 - 4))\" y1=\"\(ty)\" x2=\"\(n(plot.x0))\" y2=\"\(ty)\" stroke=\"#333333\"/>\n"
            s += "<text x=\"\(n(plot.x0 - 7))\" y=\"\(n(py(value) + 4))\" text-anchor=\"end\" fill=\"#333333\">"
            s += "\(yTicks.label(value))</text>\n"
        }
        for value in xTicks.values {
            let tx = n(px(value))
            s += "<line x1=\"\(tx)\" y1=\"\(n(plot.y0))\" x2=\"\(tx)\" y2=\"\(n(plot.y1))\" stroke=\"#f0f0f0\"/>\n"
            s += "<line x1=\"\(tx)\" y1=\"\(n(plot.y1))\" x2=\"\(tx)\" y2=\"\(n(plot.y1 + 4))\" stroke=\"#333333\"/>\n"
            s += "<text x=\"\(tx)\" y=\"\(n(plot.y1 + 17))\" text-anchor=\"middle\" fill=\"#333333\">"
            s += "\(xTicks.label(value))</text>\n"
        }
        // Axes and their labels.
        s += "<polyline class=\"axes\" points=\"\(n(plot.x0)),\(n(plot.y0)) \(n(plot.x0)),\(n(plot.y1)) "
        s += "\(n(plot.x1)),\(n(plot.y1))\" fill=\"none\" stroke=\"#333333\"/>\n"
        s += "<text x=\"\(n((plot.x0 + plot.x1) / 2))\" y=\"\(n(plot.y1 + 36))\" text-anchor=\"middle\" fill=\"#333333\">epoch</text>\n"
        let labelY = n((plot.y0 + plot.y1) / 2)
        s += "<text x=\"\(n(x + 14))\" y=\"\(labelY)\" text-anchor=\"middle\" fill=\"#333333\" "
        s += "transform=\"rotate(-90 \(n(x + 14)) \(labelY))\">\(escape(quantity.name))</text>\n"
        if finite.isEmpty {
            s += "<text x=\"\(n((plot.x0 + plot.x1) / 2))\" y=\"\(n((plot.y0 + plot.y1) / 2))\" text-anchor=\"middle\" "
            s += "fill=\"#999999\">no finite values</text>\n"
        }
        // The curves: one polyline per run of finite values, dots while the epochs are few.
        let dots = epochs.count <= 60
        for curve in drawn {
            let values = curves.series[curve.name]!
            var runs: [[(Double, Double)]] = []
            var current: [(Double, Double)] = []
            for (epoch, value) in zip(epochs, values) {
                if let value, value.isFinite {
                    current.append((px(epoch), py(value)))
                } else if !current.isEmpty {
                    runs.append(current)
                    current = []
                }
            }
            if !current.isEmpty { runs.append(current) }
            for run in runs {
                let points = run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                s += "<polyline class=\"\(curve.kind)\" data-quantity=\"\(escape(quantity.name))\" "
                s += "data-log=\"\(escape(curve.name))\" points=\"\(points)\" fill=\"none\" stroke=\"\(curve.color)\" "
                s += "stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
                if dots || run.count == 1 {
                    for point in run {
                        s += "<circle cx=\"\(n(point.0))\" cy=\"\(n(point.1))\" r=\"3\" fill=\"\(curve.color)\"/>\n"
                    }
                }
            }
        }
        // The legend, top right above the plot area (where no curve runs).
        for (slot, curve) in drawn.reversed().enumerated() {
            let lx = plot.x1 - 92 - Double(slot) * 92
            let ly = y + 18
            s += "<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 20))\" y2=\"\(n(ly))\" "
            s += "stroke=\"\(curve.color)\" stroke-width=\"2\"/>\n"
            s += "<circle cx=\"\(n(lx + 10))\" cy=\"\(n(ly))\" r=\"3\" fill=\"\(curve.color)\"/>\n"
            s += "<text x=\"\(n(lx + 25))\" y=\"\(n(ly + 4))\" fill=\"#333333\">\(curve.kind)</text>\n"
        }
        s += "</g>\n"
        return s
    }

    /// A coordinate with one decimal.
    private func n(_ value: Double) -> String { formatFixed(value, decimals: 1) }
}

/// `text` with XML's special characters escaped, for text and attribute values.
func escape(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            if let ascii = character.asciiValue, ascii < 0x20 { out += " " } else { out.append(character) }
        }
    }
    return out
}
