import TrainerPluginSDK

/// Keras 3's `SwapEMAWeights` together with the exponential moving average of the weights it
/// swaps in, which Keras keeps in an optimizer built with `use_ema=True`: here the plugin keeps
/// it. After every training step, for each trainable weight,
///
///     average = m * average + (1 - m) * weight      (m = ema_momentum; m = 0 at the first step)
///
/// in float32, as Keras's `_update_model_variables_moving_average` does. The average is put into
/// the model (through "trainer.weights/1") for evaluation, `on_test_begin` to `on_test_end`, so
/// `val_loss` and the validation metrics are the average's, and for prediction; with
/// `swap_on_epoch` also from `on_epoch_end` to the next `on_epoch_begin`, so plugins listed after
/// it (ModelCheckpoint, say) see and save the average. With `finalize` (Keras: the optimizer's
/// `finalize_variable_values` at the end of `fit`), training ends with the average in the model,
/// and so in the run's `weights.safetensors`. Non-trainable weights (batch normalization's
/// moving statistics) are left alone, as in Keras. A resumed run continues the same average
/// through the saved state.
public final class SwapEMAWeights: TrainerCallback, OnTrainBegin, OnTrainEnd, OnEpochBegin, OnEpochEnd,
    OnTrainBatchEnd, OnTestBegin, OnTestEnd, OnPredictBegin, OnPredictEnd, StatefulCallback {
    public static let id = "SwapEMAWeights"
    public static let name = "Swap EMA weights"
    public static let version = "1.0.0"
    public static let summary = "Keeps an exponential moving average of the weights and swaps it in for validation, prediction and checkpoints (Keras SwapEMAWeights)."
    public static let parameters: [ParameterSpec] = [
        .double("ema_momentum", default: 0.99, help: "weight of the old average at each step (Keras's optimizer ema_momentum)",
                min: 0, max: 1),
        .bool("swap_on_epoch", default: false,
              help: "also hold the average from on_epoch_end to the next on_epoch_begin (for ModelCheckpoint)"),
        .bool("finalize", default: true, help: "end training with the average in the model (Keras: finalize_variable_values)"),
    ]

    private let host: Host
    private let momentum: Float
    private let swapOnEpoch: Bool
    private let finalize: Bool
    /// The trainable weights' indices in the host's numbering.
    private var trainable: [Int] = []
    private var average: [[Float]] = []
    /// The training weights while the average is in the model.
    private var held: [[Float]]?
    private var steps = 0

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        let momentum = try parameters.double("ema_momentum")
        guard (0...1).contains(momentum) else { throw PluginError("ema_momentum must be in [0, 1], got \(momentum)") }
        self.momentum = Float(momentum)
        swapOnEpoch = try parameters.bool("swap_on_epoch")
        finalize = try parameters.bool("finalize")
    }

    static func isTrainable(_ name: String) -> Bool {
        !(name.hasSuffix("moving_mean") || name.hasSuffix("moving_variance"))
    }

    public func onTrainBegin(logs: Logs) throws {
        let views = try host.weights()
        let found = views.indices.filter { Self.isTrainable(views[$0].name) }
        if !average.isEmpty {
            // Resumed: the saved average must fit this model.
            guard found == trainable, zip(found, average).allSatisfy({ views[$0].data.count == $1.count }) else {
                throw PluginError("the saved average does not fit this model's weights")
            }
            return
        }
        trainable = found
        average = trainable.map { views[$0].copyData() }
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        guard held == nil else { return }
        let m = steps == 0 ? 0 : momentum, rest = 1 - m
        for (k, index) in trainable.enumerated() {
            let weight = try host.weight(at: index).data
            average[k].withUnsafeMutableBufferPointer { avg in
                for i in 0..<avg.count { avg[i] = m * avg[i] + rest * weight[i] }
            }
        }
        steps += 1
    }

    /// Puts the average into the model, keeping the training weights.
    private func swapIn() throws {
        guard held == nil else { return }
        held = try trainable.map { try host.weight(at: $0).copyData() }
        try set(average)
    }

    /// Puts the training weights back.
    private func swapOut() throws {
        guard let training = held else { return }
        try set(training)
        held = nil
    }

    private func set(_ values: [[Float]]) throws {
        for (k, index) in trainable.enumerated() { try host.setWeight(at: index, to: values[k]) }
    }

    public func onEpochBegin(epoch: Int, logs: Logs) throws {
        if swapOnEpoch { try swapOut() }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if swapOnEpoch { try swapIn() }
    }

    public func onTestBegin(logs: Logs) throws { try swapIn() }
    public func onTestEnd(logs: Logs) throws { try swapOut() }
    public func onPredictBegin(logs: Logs) throws { try swapIn() }
    public func onPredictEnd(logs: Logs) throws { try swapOut() }

    public func onTrainEnd(logs: Logs) throws {
        if finalize {
            try swapIn()
            held = nil
        } else {
            try swapOut()
        }
    }

    // MARK: - Saved state: the average, the steps taken, and the training weights when held

    private static let stateVersion = 1

    public func saveState() throws -> [UInt8] {
        var writer = StateWriter(version: Self.stateVersion)
        writer.write(steps)
        writer.write(trainable.count)
        for (k, index) in trainable.enumerated() {
            writer.write(index)
            writer.write(average[k])
        }
        writer.write(held != nil)
        for values in held ?? [] { writer.write(values) }
        return writer.bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        var reader = try StateReader(bytes, version: Self.stateVersion)
        let steps = try reader.readInt()
        let count = try reader.readInt()
        guard steps >= 0, count >= 0, count <= bytes.count else { throw PluginError("saved state is damaged") }
        var trainable: [Int] = [], average: [[Float]] = []
        for _ in 0..<count {
            trainable.append(try reader.readInt())
            average.append(try reader.readFloats())
        }
        var held: [[Float]]?
        if try reader.readBool() {
            held = try (0..<count).map { k in
                let values = try reader.readFloats()
                guard values.count == average[k].count else { throw PluginError("saved state is damaged") }
                return values
            }
        }
        try reader.finish()
        (self.steps, self.trainable, self.average, self.held) = (steps, trainable, average, held)
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(SwapEMAWeights.self) }
