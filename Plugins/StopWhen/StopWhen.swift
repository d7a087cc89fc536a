import TrainerExpression
import TrainerPluginSDK

/// Stops training at the end of the first epoch where a condition over the epoch's logs holds:
///
///     trainer train --plugin StopWhen --set "condition=accuracy > 0.98 && val_loss < 0.3"
///
/// The condition is a `TrainerExpression`: numbers, the names of the epoch's logs (`loss`,
/// `accuracy`, `val_loss`, `val_accuracy`, `learning_rate`, ...), `epoch` (the 0-based epoch
/// that just ended, as the hooks count), `pi` and `e`; `+ - * /`, comparisons, `&& || !`,
/// `c ? a : b`, parentheses and `exp log sqrt pow floor ceil abs min max cos sin`. It holds
/// when its value is not 0. A condition that does not parse is refused when the plugin is
/// created, with the column of the problem (`condition: column 12: expected ')', found end of
/// expression`).
///
/// A name the logs of an epoch lack makes the condition false for that epoch, with a warning
/// the first time each such name is missing (a misspelt name would otherwise never stop
/// anything silently). When the condition holds it asks the host to stop (Keras's
/// `model.stop_training = True`: the epoch ends normally, then training ends), prints
/// `StopWhen: Epoch 12: accuracy > 0.98 && val_loss < 0.3 holds, stopping training` with
/// verbose 1, and reports `stopped_epoch` (0-based) through "trainer.report/1".
public final class StopWhen: TrainerCallback, OnEpochEnd {
    public static let id = "StopWhen"
    public static let name = "Stop when"
    public static let version = "1.0.0"
    public static let summary = "Stops training at the first epoch end where a condition over the logs holds."
    public static let parameters: [ParameterSpec] = [
        .string("condition", default: nil,
                help: "expression over the epoch's log names and epoch (0-based), e.g. "
                    + "\"accuracy > 0.98 && val_loss < 0.3\" (required)"),
        .int("verbose", default: 1, help: "0 quiet, 1 print a message when stopping", min: 0),
    ]

    private let host: Host
    private let condition: Expression
    private let verbose: Int
    /// Names already warned about.
    private var warnedMissing: Set<String> = []

    public init(parameters: Parameters, host: Host) throws {
        self.host = host
        guard let text = try parameters.optionalString("condition") else {
            throw PluginError("condition: required: an expression over the epoch's logs, "
                              + "e.g. \"accuracy > 0.98 && val_loss < 0.3\"")
        }
        do {
            condition = try Expression(text, allowedVariables: nil)
        } catch let error as ExpressionError {
            throw PluginError("condition: \(error)")
        }
        verbose = try parameters.int("verbose")
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        let value: Double
        do {
            value = try condition.evaluate { name in name == "epoch" ? Double(epoch) : logs[name] }
        } catch let unbound as UnboundVariables {
            let fresh = unbound.names.filter { !warnedMissing.contains($0) }
            if !fresh.isEmpty {
                warnedMissing.formUnion(fresh)
                let names = fresh.map { "'\($0)'" }.joined(separator: ", ")
                let available = logs.names.joined(separator: ", ")
                host.log(.warning, "the condition \"\(condition)\" uses \(names), which the logs of epoch \(epoch + 1) "
                         + "do not have (they have: \(available.isEmpty ? "nothing" : available)); "
                         + "the condition counts as false while it is missing")
            }
            return
        }
        guard value != 0 else { return }
        host.stopTraining(because: "\(condition) holds")
        host.report("stopped_epoch", Double(epoch))
        if verbose > 0 {
            host.log(.info, "Epoch \(epoch + 1): \(condition) holds, stopping training")
        }
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(StopWhen.self) }
