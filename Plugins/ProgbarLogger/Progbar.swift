import TrainerPluginSDK

/// One progress display, for one epoch (or one evaluate / predict run): Keras's
/// `keras.utils.Progbar` as `ProgbarLogger` uses it.
///
/// - `.bar` (verbose 1) on a terminal redraws the line in place with `\r`, at most every 50 ms,
///   and ends with the final line; elsewhere (a pipe, a file) it prints the final line alone.
/// - `.line` (verbose 2) prints one line at the end: `1875/1875 - 3s - 2ms/step - loss: ...`.
///
/// Between redraws an update costs a clock read at most, so a bar costs nothing measurable
/// per batch.
final class Progbar {
    enum Style {
        case bar
        case line
    }

    private static let width = 20
    private static let interval = 0.05
    /// Logs Keras's progress bar does not show.
    private static let hidden: Set<String> = ["learning_rate"]

    private var target: Int?
    private let style: Style
    private let unit: String
    private let dynamic: Bool
    private let color: Bool

    private let start: Double
    private var lastDraw = -Double.infinity
    private var firstUpdateTime: Double?
    private var unitsAtFirstUpdate = 0
    private var seen = 0
    private var previousWidth = 0

    init(target: Int?, style: Style, unit: String, dynamic: Bool, color: Bool) {
        self.target = target.flatMap { $0 > 0 ? $0 : nil }
        self.style = style
        self.unit = unit
        self.dynamic = dynamic
        self.color = color
        start = monotonicSeconds()
    }

    /// Progress within the epoch: `current` units done, `logs` the running values.
    func update(_ current: Int, logs: Logs) {
        seen = current
        if firstUpdateTime == nil || (style == .bar && dynamic) {
            let now = monotonicSeconds()
            noteFirstUpdate(current, now)
            if style == .bar && dynamic && now - lastDraw >= Self.interval {
                draw(current, logs: logs, finalize: false, now: now)
            }
        }
    }

    /// The end of the epoch: prints the final line with `logs`, the epoch's values.
    func finalize(logs: Logs) {
        if target == nil { target = max(seen, 1) }
        let current = target!
        let now = monotonicSeconds()
        noteFirstUpdate(current, now)
        draw(current, logs: logs, finalize: true, now: now)
    }

    private func noteFirstUpdate(_ current: Int, _ now: Double) {
        if firstUpdateTime == nil && current > 0 {
            firstUpdateTime = now
            unitsAtFirstUpdate = current
        }
    }

    /// Keras's estimate: the time per unit after the first update (which includes warm-up),
    /// or the time since the start divided by the units done when that is all there is.
    private func timePerUnit(_ current: Int, _ now: Double) -> Double {
        if let first = firstUpdateTime, current > unitsAtFirstUpdate {
            return (now - first) / Double(current - unitsAtFirstUpdate)
        }
        return current > 0 ? (now - start) / Double(current) : 0
    }

    private func draw(_ current: Int, logs: Logs, finalize: Bool, now: Double) {
        switch style {
        case .bar: drawBar(current, logs: logs, finalize: finalize, now: now)
        case .line: if finalize { drawLine(current, logs: logs, now: now) }
        }
        lastDraw = now
    }

    private func drawBar(_ current: Int, logs: Logs, finalize: Bool, now: Double) {
        var text = ""
        var width = 0
        func add(_ piece: String, style: String? = nil) {
            width += piece.unicodeScalars.count
            if let style, color { text += "\u{1B}[\(style)m" + piece + "\u{1B}[0m" } else { text += piece }
        }

        if let target {
            let digits = String(target).count
            add(cFormat("%\(digits)ld/%ld", current, target), style: "1")
            add(" ")
            let done = min(max(Int(Double(Self.width) * Double(current) / Double(target)), 0), Self.width)
            if done > 0 { add(String(repeating: "━", count: done), style: "32") }
            add(String(repeating: "━", count: Self.width - done), style: "37")
        } else {
            add(cFormat("%7ld/Unknown", current))
        }

        let perUnit = timePerUnit(current, now)
        add(" ")
        if let target, !finalize {
            add(formatETA(perUnit * Double(target - current)), style: "1")
        } else {
            add(cFormat("%.0f", now - start) + "s", style: "1")
        }
        add(formatTimePerUnit(perUnit, unit: unit))
        add(metrics(logs))

        if dynamic {
            text = "\r" + text
            if previousWidth > width { text += String(repeating: " ", count: previousWidth - width) }
            previousWidth = width
            if finalize { text += "\n" }
        } else {
            text += "\n"
        }
        printAndFlush(text)
    }

    private func drawLine(_ current: Int, logs: Logs, now: Double) {
        let digits = String(target ?? current).count
        var text = cFormat("%\(digits)ld/%ld", current, target ?? current)
        text += " - " + cFormat("%.0f", now - start) + "s"
        text += " -" + formatTimePerUnit(timePerUnit(current, now), unit: unit)
        text += metrics(logs) + "\n"
        printAndFlush(text)
    }

    private func metrics(_ logs: Logs) -> String {
        var text = ""
        for (name, value) in logs where !Self.hidden.contains(name) {
            text += " - \(name): " + formatValue(value)
        }
        return text
    }
}
