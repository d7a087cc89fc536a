import TrainerPluginSDK
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keras's `ProgbarLogger` as a plugin: prints `Epoch 1/5`, then the epoch's progress.
///
/// With verbose 1 on a terminal, a bar redrawn in place (at most every 50 ms):
///
///     Epoch 1/5
///     1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 2ms/step - loss: 0.5010 - accuracy: 0.8235 - val_loss: 0.4433 - val_accuracy: 0.8424
///
/// When standard output is not a terminal, only that final line per epoch (no redraws, no
/// colours). With verbose 2, one line per epoch in Keras's other form:
/// `1875/1875 - 3s - 2ms/step - loss: 0.5010 - ...`. The final line shows every epoch log in the
/// host's order except `learning_rate`, as Keras does; values use `%.4f`, or `%.4e` when their
/// magnitude is at most 1e-3. As in Keras, `Epoch i/n` is printed only when n > 1, and
/// `trainer evaluate` / `trainer predict` get a bar of their own (the test and predict hooks
/// are ignored during fit). Colours are left out when `NO_COLOR` is set.
public final class ProgbarLogger: TrainerCallback,
    OnTrainBegin, OnEpochBegin, OnTrainBatchEnd, OnEpochEnd,
    OnTestBegin, OnTestBatchEnd, OnTestEnd,
    OnPredictBegin, OnPredictBatchEnd, OnPredictEnd
{
    public static let id = "ProgbarLogger"
    public static let version = "1.0.0"
    public static let summary = "Prints Keras's progress bar and per-epoch metrics to standard output."
    public static let parameters: [ParameterSpec] = [
        .string("count_mode", default: "steps",
                help: "count progress in batches (steps) or in samples", choices: ["steps", "samples"]),
        .int("verbose", default: nil,
             help: "0 silent, 1 progress bar, 2 one line per epoch; none: the run's verbose",
             min: 0, max: 2),
    ]

    private let verbose: Int
    private let epochs: Int
    private let countSamples: Bool
    private let batchSize: Int
    private let samples: Int
    private let steps: Int
    private let terminal: Bool
    private let color: Bool
    private var calledInFit = false
    private var progbar: Progbar?

    public init(parameters: Parameters, host: Host) throws {
        let run = try host.runParameters
        verbose = try parameters.optionalInt("verbose") ?? run.verbose
        countSamples = try parameters.string("count_mode") == "samples"
        epochs = run.epochs
        batchSize = run.batchSize
        samples = run.samples
        steps = run.steps
        terminal = isatty(STDOUT_FILENO) != 0
        color = terminal && getenv("NO_COLOR") == nil
    }

    public func onTrainBegin(logs: Logs) throws {
        calledInFit = true
    }

    public func onEpochBegin(epoch: Int, logs: Logs) throws {
        guard verbose != 0 else { return }
        progbar = countSamples
            ? makeProgbar(target: samples, unit: "sample") : makeProgbar(target: steps, unit: "step")
        if epochs > 1 { printAndFlush("Epoch \(epoch + 1)/\(epochs)\n") }
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        progbar?.update(units(afterBatch: batch), logs: logs)
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        progbar?.finalize(logs: logs)
        progbar = nil
    }

    // Evaluate and predict on their own (outside fit) get a bar of their own, as in Keras.

    public func onTestBegin(logs: Logs) throws {
        if !calledInFit && verbose != 0 { progbar = makeProgbar(target: steps, unit: "step") }
    }

    public func onTestBatchEnd(batch: Int, logs: Logs) throws {
        if !calledInFit { progbar?.update(batch + 1, logs: logs) }
    }

    public func onTestEnd(logs: Logs) throws {
        if !calledInFit {
            progbar?.finalize(logs: logs)
            progbar = nil
        }
    }

    public func onPredictBegin(logs: Logs) throws {
        if verbose != 0 { progbar = makeProgbar(target: steps, unit: "step") }
    }

    public func onPredictBatchEnd(batch: Int, logs: Logs) throws {
        progbar?.update(batch + 1, logs: Logs())
    }

    public func onPredictEnd(logs: Logs) throws {
        progbar?.finalize(logs: Logs())
        progbar = nil
    }

    private func makeProgbar(target: Int, unit: String) -> Progbar {
        Progbar(target: target > 0 ? target : nil, style: verbose == 2 ? .line : .bar,
                unit: unit, dynamic: terminal, color: color)
    }

    private func units(afterBatch batch: Int) -> Int {
        guard countSamples else { return batch + 1 }
        let done = (batch + 1) * max(batchSize, 1)
        return samples > 0 ? min(done, samples) : done
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(ProgbarLogger.self) }
