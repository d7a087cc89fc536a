#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// printf-style formatting without Foundation: `cFormat("%.4f", 0.5)` is "0.5000".
func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    var capacity = 64
    while true {
        var buffer = [CChar](repeating: 0, count: capacity)
        let length = withVaList(arguments) { vsnprintf(&buffer, capacity, format, $0) }
        if length < 0 { return "" }
        if Int(length) < capacity { return String(cString: buffer) }
        capacity = Int(length) + 1
    }
}

/// A log value as Keras's progress bar shows it: `%.4f`, or `%.4e` when its magnitude is at
/// most 1e-3; "nan", "inf" and "-inf" as Python prints them.
func formatValue(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    return abs(value) > 1e-3 ? cFormat("%.4f", value) : cFormat("%.4e", value)
}

/// Keras's time per unit: " 3s/step", " 2ms/step" or " 850us/step" (with the leading space).
func formatTimePerUnit(_ seconds: Double, unit: String) -> String {
    if seconds >= 1 || seconds == 0 { return " " + cFormat("%.0f", seconds) + "s/" + unit }
    if seconds >= 1e-3 { return " " + cFormat("%.0f", seconds * 1e3) + "ms/" + unit }
    return " " + cFormat("%.0f", seconds * 1e6) + "us/" + unit
}

/// Keras's estimated time left: "42s", "3:07" or "1:02:03".
func formatETA(_ seconds: Double) -> String {
    let eta = Int(seconds.isFinite ? max(seconds, 0) : 0)
    if seconds > 3600 { return cFormat("%d:%02d:%02d", eta / 3600, (eta % 3600) / 60, eta % 60) }
    if seconds > 60 { return cFormat("%d:%02d", eta / 60, eta % 60) }
    return "\(eta)s"
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// Writes `text` to standard output and flushes it.
func printAndFlush(_ text: String) {
    fputs(text, stdout)
    fflush(stdout)
}
