import TrainerPluginSDK

/// Learning curves as a picture: after every epoch, writes `curves.svg` into the run
/// directory, a standalone SVG a browser opens (no server, no script, no Python). One panel per
/// quantity (`loss`, then each metric), each with its training and its validation curve
/// against the epoch, ticked and labelled axes and a legend (see `SVGChart`). A NaN, infinite
/// or missing value leaves a gap in its curve.
///
/// The file is written to a temporary name and renamed (`writeFileAtomically`), so a browser
/// reloading it never sees half a picture. A resumed run continues the same curves through the
/// saved state (the epochs and values so far, as History keeps them).
public final class LearningCurves: TrainerCallback, OnEpochEnd, StatefulCallback {
    public static let id = "LearningCurves"
    public static let name = "Learning curves"
    public static let version = "1.0.0"
    public static let summary = "Draws loss and metrics against epochs into curves.svg in the run directory after every epoch."
    public static let parameters: [ParameterSpec] = [
        .string("filename", default: "curves.svg",
                help: "SVG file written in the run directory (an absolute path is used as is)"),
        .int("width", default: 960, help: "width of the picture in pixels (two panels a row)", min: 200, max: 10000),
    ]

    private let path: String
    private let chart: SVGChart
    private var curves = Curves()

    public init(parameters: Parameters, host: Host) throws {
        let filename = try parameters.string("filename")
        guard !filename.isEmpty, !filename.hasSuffix("/") else {
            throw PluginError("filename must name a file, got '\(filename)'")
        }
        let runDirectory = try host.runParameters.runDirectory
        guard filename.hasPrefix("/") || !runDirectory.isEmpty else {
            throw PluginError("the host gave no run directory for '\(filename)'")
        }
        path = filePath(filename, in: runDirectory)
        let width = try parameters.int("width")
        guard (200...10000).contains(width) else {
            throw PluginError("width must be between 200 and 10000 pixels, got \(width)")
        }
        chart = SVGChart(width: width)
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        curves.append(epoch: epoch, logs: logs.map { (name: $0.0, value: $0.1) })
        try writeFileAtomically(chart.render(curves), to: path)
    }

    // MARK: - Saved state: the epochs and values so far

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(epochs: curves.epochs, names: curves.names, series: curves.series)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let (epochs, names, series) = try reader.readEpochSeries()
        try reader.finish()
        curves = Curves(epochs: epochs, names: names, series: series)
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(LearningCurves.self) }
