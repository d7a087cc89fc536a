import TrainerExpression
import TrainerPluginSDK

/// Keras's `LearningRateScheduler` callback as a plugin (keras/src/callbacks/
/// learning_rate_scheduler.py, Keras 3.15), with the schedule written as an expression instead
/// of a Python function:
///
///     trainer train --plugin LearningRateScheduler --set "schedule=epoch < 10 ? lr : lr * exp(-0.1)"
///
/// At the beginning of every epoch it reads the optimizer's rate `lr`, evaluates the schedule
/// with `epoch` (0-based, as Keras passes it), `lr` and `initial_lr` (the rate when training
/// began), and sets the result as the new rate. With verbose 1 it prints Keras's message:
/// `Epoch 3: LearningRateScheduler setting learning rate to 0.0095.` (the schedule's value, as
/// Python prints a float).
///
/// The schedule's language is `TrainerExpression`'s: numbers, `+ - * /`, comparisons,
/// `&& || !`, `c ? a : b`, parentheses, `pi`, `e`, and `exp log sqrt pow floor ceil abs min
/// max cos sin`. A schedule that does not parse, or names anything but `epoch`, `lr` and
/// `initial_lr`, is refused when the plugin is created, before training, with the column
/// (`schedule: column 7: expected a number, a name or '(', found '*'`). A schedule that gives
/// a negative, infinite or NaN rate fails the run at that epoch with the values it was given.
///
/// The host keeps the rate in float32, as Keras does, so `lr` reads back the stored float.
/// The saved state holds `initial_lr`, so a resumed run's schedule keeps the rate the run
/// first began with.
public final class LearningRateScheduler: TrainerCallback, OnTrainBegin, OnEpochBegin, StatefulCallback {
    public static let id = "LearningRateScheduler"
    public static let name = "Learning rate scheduler"
    public static let version = "1.0.0"
    public static let summary = "Sets the learning rate at each epoch's start from a schedule expression (Keras LearningRateScheduler)."
    public static let parameters: [ParameterSpec] = [
        .required(.string("schedule", default: nil,
                help: "expression over epoch (0-based), lr (current rate) and initial_lr giving the epoch's rate, "
                    + "e.g. \"epoch < 10 ? lr : lr * exp(-0.1)\"")),
        .int("verbose", default: 0, help: "0 quiet, 1 print the rate set at each epoch's start", min: 0),
    ]

    static let variables: Set<String> = ["epoch", "lr", "initial_lr"]

    private let host: Host
    private let schedule: Expression
    private let verbose: Int
    /// The rate when training began (nil until on_train_begin, unless a saved state gave it).
    private var initialRate: Double?

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        guard let text = try parameters.optionalString("schedule") else {
            throw PluginError("schedule: required: an expression over epoch, lr and initial_lr, "
                              + "e.g. \"epoch < 10 ? lr : lr * exp(-0.1)\"")
        }
        do {
            schedule = try Expression(text, allowedVariables: Self.variables)
        } catch let error as ExpressionError {
            throw PluginError("schedule: \(error)")
        }
        verbose = try parameters.int("verbose")
    }

    public func onTrainBegin(logs: Logs) throws {
        if initialRate == nil { initialRate = try currentRate() }
    }

    public func onEpochBegin(epoch: Int, logs: Logs) throws {
        let lr = try currentRate()
        let initial = initialRate ?? lr
        if initialRate == nil { initialRate = lr }
        let bindings = ["epoch": Double(epoch), "lr": lr, "initial_lr": initial]
        let rate = try schedule.evaluate(bindings)
        guard rate.isFinite, rate >= 0 else {
            throw PluginError("the schedule \"\(schedule)\" gave learning rate \(PythonFloat.repr(rate)) at epoch \(epoch) "
                              + "(lr=\(PythonFloat.repr(lr)), initial_lr=\(PythonFloat.repr(initial))); "
                              + "a learning rate must be a finite number >= 0")
        }
        try host.setLearningRate(rate)
        if verbose > 0 {
            host.log(.info, "Epoch \(epoch + 1): LearningRateScheduler setting learning rate to \(PythonFloat.repr(rate)).")
        }
    }

    private func currentRate() throws -> Double {
        let rate = host.learningRate
        guard !rate.isNaN else { throw PluginError("the host does not tell the learning rate") }
        return rate
    }

    // MARK: - Saved state: the initial rate

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(initialRate != nil)
        writer.write(initialRate ?? 0)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let known = try reader.readBool()
        let rate = try reader.readDouble()
        try reader.finish()
        initialRate = known ? rate : nil
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(LearningRateScheduler.self) }
