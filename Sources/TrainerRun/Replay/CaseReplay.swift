import Foundation
import Logging
import TrainerHost

/// `trainer replay --cases FILE.jsonl`: runs every recorded Keras case through the real
/// plugin and answers with the same `expect` keys, one JSON line per case.
public enum CaseReplay {
    /// The JSON lines, and whether every case could be run.
    /// A plugin refused for its file (`PluginRefused`) ends the command, as a configuration
    /// problem.
    public static func run(casesFile: String, pluginDirectories: [String],
                           allowInsecure: Bool = false) throws -> (lines: [String], allRan: Bool) {
        guard let text = try? String(contentsOfFile: casesFile, encoding: .utf8) else {
            throw UsageProblem("\(casesFile): cannot be read")
        }
        let pins = try ConfigLoader.workingDirectoryPins()
        let registry = PluginRegistry(searchPath: .standard(extraDirectories: pluginDirectories), allowInsecure: allowInsecure)
        let logger = ConsoleLogHandler.standardErrorLogger(label: "trainer.replay")
        var lines: [String] = []
        var allRan = true
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let location = "\(casesFile): line \(index + 1)"
            do {
                let parityCase: ParityCase
                do {
                    parityCase = try JSONDecoder().decode(ParityCase.self, from: Data(line.utf8))
                } catch {
                    throw UsageProblem("not a case: \(error)")
                }
                let answer = try replay(parityCase, registry: registry, pins: pins, logger: logger)
                lines.append(try encode(.object(answer)))
            } catch let refused as PluginRefused {
                throw UsageProblem("\(location): \(refused)")
            } catch {
                allRan = false
                lines.append(try encode(.object(["error": .string("\(location): \(error)")])))
            }
        }
        return (lines, allRan)
    }

    static func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Runs one case; returns the values of its `expect` keys as the plugin decided them.
    static func replay(_ parityCase: ParityCase, registry: PluginRegistry, pins: PluginPins,
                       logger: Logger) throws -> [String: JSONValue] {
        guard let plugin = registry.plugin(id: parityCase.callback) else {
            if let refused = registry.insecureFile(id: parityCase.callback) {
                throw PluginRefused(plugin: parityCase.callback, reason: refused.reason)
            }
            throw UsageProblem(registry.unknownPluginError(parityCase.callback))
        }
        let runDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runDirectory) }

        let epochs = try (parityCase.epochs ?? []).enumerated().map { i, logs in
            try RecordedLogs(logs, context: "epochs[\(i)]")
        }
        let batches = try (parityCase.batches ?? []).enumerated().map { e, epoch in
            try epoch.enumerated().map { b, logs in try RecordedLogs(logs, context: "batches[\(e)][\(b)]") }
        }
        let epochCount = max(epochs.count, batches.count)
        let session = ReplaySession(
            parameters: RunParameters(verbose: 0, epochs: epochCount, steps: batches.first?.count ?? 1,
                                      batchSize: 32, samples: 32 * (batches.first?.count ?? 1),
                                      runDirectory: runDirectory),
            initialLearningRate: parityCase.initialLR)
        let instances = try registry.instantiate([try parityCase.settings(for: plugin)], session: session, pins: pins,
                                                 logger: logger)
        let outcome = try Replayer(session: session, instances: instances).run(epochs: epochs, batches: batches)
        let reports = Dictionary(outcome.reports.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })

        var answer: [String: JSONValue] = [:]
        for key in parityCase.expect.keys {
            switch key {
            case "epochs_run": answer[key] = .int(outcome.epochsRun)
            case "stopped_epoch": answer[key] = outcome.stoppedEpoch.map { .int($0) } ?? .null
            case "restored_epoch": answer[key] = outcome.restoredEpoch.map { .int($0) } ?? .null
            case "lr_at_epoch_begin": answer[key] = .array(outcome.learningRateAtEpochBegin.map { .double($0) })
            case "final_lr": answer[key] = .double(outcome.finalLearningRate)
            case "saved": answer[key] = .array(outcome.savedPaths.map { .string($0) })
            case "stopped_at":
                answer[key] = outcome.stoppedAt.map { .object(["epoch": .int($0.epoch), "batch": .int($0.batch)]) } ?? .null
            case "text":
                guard case .string(let name)? = parityCase.params["filename"] else {
                    throw UsageProblem("expects \"text\" but names no filename")
                }
                let path = name.hasPrefix("/") ? name : (runDirectory as NSString).appendingPathComponent(name)
                answer[key] = (try? String(contentsOfFile: path, encoding: .utf8)).map { .string($0) } ?? .null
            default:
                // Anything else the plugin reported by name (best_epoch, ...).
                answer[key] = reports[key].map { value in
                    value.rounded() == value && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
                } ?? .null
            }
        }
        return answer
    }
}
