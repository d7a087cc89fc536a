import Foundation
import Logging
import TrainerHost

/// `trainer replay HISTORY --plugin ID --set key=value ...`: what the plugins would have done
/// had they watched a past run.
public enum HistoryReplay {
    public static func run(historyPath: String, overrides: [PluginOverride], initialLearningRate: Double?,
                           pluginDirectories: [String], allowInsecure: Bool = false) throws -> String {
        guard !overrides.isEmpty else {
            throw UsageProblem("name at least one plugin to replay: --plugin ID [--set key=value ...]")
        }
        let history = try HistoryFile.read(historyPath)
        let pins = try ConfigLoader.workingDirectoryPins()
        let registry = PluginRegistry(searchPath: .standard(extraDirectories: pluginDirectories), allowInsecure: allowInsecure)
        var settings: [PluginSettings] = []
        for override in overrides {
            guard let plugin = registry.plugin(id: override.id) else {
                throw UsageProblem("--plugin \(override.id): \(registry.unknownPluginError(override.id))")
            }
            settings.append(PluginSettings(id: plugin.id, values: try UsageProblem.wrap { try override.values(for: plugin) }))
        }
        let runDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runDirectory) }
        let rate = initialLearningRate ?? history.initialLearningRate ?? 0.001
        let session = ReplaySession(
            parameters: RunParameters(verbose: 1, epochs: history.epochs.count, runDirectory: runDirectory),
            initialLearningRate: rate)
        let instances = try UsageProblem.wrap {
            try registry.instantiate(settings, session: session, pins: pins, logger: Logger(label: "trainer.replay"))
        }
        let outcome = try Replayer(session: session, instances: instances).run(epochs: history.epochs)
        return describe(outcome, settings: settings, epochs: history.epochs.count, initialRate: rate)
    }

    /// "EarlyStopping(patience=3) would have stopped at epoch 14, best epoch 11". Epochs are
    /// counted from 1, as Keras prints them.
    static func describe(_ outcome: Replayer.Outcome, settings: [PluginSettings], epochs: Int, initialRate: Double) -> String {
        let who = settings.map { s in
            s.id + "(" + s.values.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
        }.joined(separator: " + ")
        var facts: [String] = []
        if let stopped = outcome.stoppedEpoch {
            facts.append("stopped at epoch \(stopped + 1) of \(epochs)" + (outcome.stopReason.map { " because \($0.reason)" } ?? ""))
        } else {
            facts.append("run all \(epochs) epochs")
        }
        for report in outcome.reports {
            let name = report.name.replacingOccurrences(of: "_", with: " ")
            if report.name.hasSuffix("_epoch") {
                facts.append("\(name) \(Int(report.value) + 1)")
            } else {
                facts.append("\(name) \(report.value)")
            }
        }
        var changes: [String] = []
        var previous = Double(Float(initialRate))
        for (epoch, rate) in outcome.learningRateAtEpochBegin.enumerated() where rate != previous {
            changes.append("\(formatRate(rate)) from epoch \(epoch + 1)")
            previous = rate
        }
        if outcome.finalLearningRate != previous { changes.append("\(formatRate(outcome.finalLearningRate)) at the end") }
        if !changes.isEmpty { facts.append("learning rate " + changes.joined(separator: ", ")) }
        if let restored = outcome.restoredEpoch { facts.append("restored the weights of epoch \(restored + 1)") }
        if !outcome.savedPaths.isEmpty {
            facts.append("saved " + outcome.savedPaths.joined(separator: ", "))
        }
        return "\(who) would have " + facts.joined(separator: ", ")
    }

    static func formatRate(_ rate: Double) -> String {
        String(format: "%.6g", rate)
    }
}
