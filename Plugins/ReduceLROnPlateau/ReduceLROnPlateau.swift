import TrainerPluginSDK

/// Keras's `ReduceLROnPlateau` callback as a plugin (keras/src/callbacks/reduce_lr_on_plateau.py,
/// Keras 3.15): reduces the learning rate when a monitored quantity has stopped improving.
///
/// At each epoch's end, with `current` the monitored value (an epoch without it gets Keras's
/// warning and no decision; `learning_rate` is the optimizer's rate, as Keras puts it in the logs):
///
/// - in cooldown, the cooldown counter goes down by one and `wait` returns to 0;
/// - an improvement (`current` beats the best by more than `min_delta`; the first monitored value
///   always does) becomes the best and resets `wait`;
/// - otherwise, out of cooldown, `wait` grows, and once `wait >= patience` the rate becomes
///   `max(rate * factor, min_lr)` if the rate is above `min_lr` (as float32), printing
///   `Epoch N: ReduceLROnPlateau reducing learning rate to X.` with verbose 1, and the cooldown
///   starts.
///
/// The rate is read from the host (which holds it in float32, as Keras does), the new one is
/// computed in double from that value, and the host stores it in float32 again. Comparisons are
/// made in float32, as Keras's `ops.less`/`ops.greater` make them. Mode `auto` minimizes
/// `loss`/`val_loss` and follows the direction of Keras's metric of that name otherwise.
///
/// The saved state (version 1) holds `wait`, the cooldown counter and the best value.
public final class ReduceLROnPlateau: TrainerCallback, OnTrainBegin, OnEpochEnd, StatefulCallback {
    public static let id = "ReduceLROnPlateau"
    public static let name = "Reduce learning rate on plateau"
    public static let version = "1.0.0"
    public static let summary = "Reduces the learning rate when a monitored quantity has stopped improving (Keras ReduceLROnPlateau)."
    public static let parameters: [ParameterSpec] = [
        .string("monitor", default: "val_loss", help: "quantity to be monitored, a name in the epoch logs"),
        .double("factor", default: 0.1,
                help: "factor by which the learning rate is reduced: new_lr = lr * factor (must be < 1)", min: 0),
        .int("patience", default: 10,
             help: "epochs with no improvement after which the learning rate is reduced", min: 0),
        .int("verbose", default: 0, help: "0 quiet, 1 print a message when the rate is reduced", min: 0),
        .string("mode", default: "auto",
                help: "min: reduce when the quantity stops decreasing; max: stops increasing; auto: from the name",
                choices: ["auto", "min", "max"]),
        .double("min_delta", default: 1e-4, help: "threshold for measuring the new optimum (its sign is ignored)"),
        .int("cooldown", default: 0,
             help: "epochs to wait before resuming normal operation after the rate has been reduced", min: 0),
        .double("min_lr", default: 0, help: "lower bound on the learning rate", min: 0),
    ]

    private let host: Host
    private let monitor: Monitor
    private let factor: Double
    private let patience: Int
    private let verbose: Int
    private let cooldown: Int
    private let minLR: Double

    // Keras's attributes.
    private var wait = 0
    private var cooldownCounter = 0
    private var best: Double?

    /// Set by a loaded state, so on_train_begin continues it instead of starting afresh.
    private var resumed = false
    private var warnings = WarningsOnce()

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        factor = try parameters.double("factor")
        guard factor < 1 else {
            throw PluginError("ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(pythonFloatString(factor))")
        }
        monitor = try Monitor(callback: Self.id, monitor: try parameters.string("monitor"),
                              mode: try parameters.string("mode"),
                              minDelta: try parameters.double("min_delta"))
        patience = try parameters.int("patience")
        verbose = try parameters.int("verbose")
        cooldown = try parameters.int("cooldown")
        minLR = try parameters.double("min_lr")
    }

    public func onTrainBegin(logs: Logs) throws {
        if !resumed {
            best = nil
            cooldownCounter = 0
            wait = 0
        }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        // Keras first sets logs["learning_rate"] to the optimizer's rate.
        let current = monitor.name == "learning_rate" ? host.learningRate : logs[monitor.name]
        guard let current else {
            var names = logs.names
            if !names.contains("learning_rate") { names.append("learning_rate") }
            warnings.warn("Learning rate reduction is conditioned on metric `\(monitor.name)` which is not "
                          + "available. Available metrics are: \(names.joined(separator: ",")).", through: host)
            return
        }

        if inCooldown {
            cooldownCounter -= 1
            wait = 0
        }

        if monitor.isImprovement(current, over: best) {
            best = current
            wait = 0
        } else if !inCooldown {
            wait += 1
            if wait >= patience, try reduceLearningRate(epoch: epoch) {
                cooldownCounter = cooldown
                wait = 0
            }
        }
    }

    private var inCooldown: Bool { cooldownCounter > 0 }

    /// Keras's `_reduce_optimizer_lr`: whether the rate was reduced.
    private func reduceLearningRate(epoch: Int) throws -> Bool {
        let oldLR = host.learningRate
        guard oldLR > Double(Float(minLR)) else { return false }
        let newLR = max(oldLR * factor, minLR)
        try host.setLearningRate(newLR)
        if verbose > 0 {
            host.log(.info, "Epoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(pythonFloatString(newLR)).")
        }
        return true
    }

    // MARK: - Saved state

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(monitor.name)
        writer.write(wait)
        writer.write(cooldownCounter)
        writer.write(best != nil)
        writer.write(best ?? 0)
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = StateReader(bytes)
        let version = try reader.readInt()
        guard version == Self.stateVersion else {
            throw PluginError("saved state has version \(version), this ReduceLROnPlateau reads version \(Self.stateVersion)")
        }
        let monitored = try reader.readString()
        guard monitored == monitor.name else {
            throw PluginError("saved state monitors '\(monitored)', this run monitors '\(monitor.name)'")
        }
        let wait = try reader.readInt()
        let cooldownCounter = try reader.readInt()
        let hasBest = try reader.readBool()
        let best = try reader.readDouble()
        try reader.finish()
        guard wait >= 0, cooldownCounter >= 0 else { throw PluginError("saved state is damaged") }
        (self.wait, self.cooldownCounter) = (wait, cooldownCounter)
        self.best = hasBest ? best : nil
        resumed = true
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(ReduceLROnPlateau.self) }
