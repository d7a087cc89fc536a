/// The base protocol of a callback plugin written in Swift.
///
/// A plugin is one `final class` that adopts `TrainerCallback` for its description and
/// constructor, plus one small protocol per Keras hook it implements (`OnEpochEnd`,
/// `OnTrainBatchEnd`, ... see `Hooks.swift`). Only the hooks the class adopts are given to the
/// host; every other slot of the C hook table stays NULL, so a plugin without batch hooks
/// costs nothing per batch. The compiler checks that an adopted hook is implemented.
///
/// ```swift
/// import TrainerPluginSDK
///
/// public final class StopAtLoss: TrainerCallback, OnEpochEnd {
///     public static let id = "StopAtLoss"
///     public static let version = "1.0.0"
///     public static let summary = "Stops training once the loss is low enough."
///     public static let parameters: [ParameterSpec] = [
///         .double("threshold", default: 0.1, help: "stop when loss <= threshold", min: 0),
///     ]
///
///     let threshold: Double
///     let host: Host
///
///     public init(parameters: Parameters, host: Host) throws {
///         threshold = try parameters.double("threshold")
///         self.host = host
///     }
///
///     public func onEpochEnd(epoch: Int, logs: Logs) throws {
///         if let loss = logs["loss"], loss <= threshold { host.stopTraining() }
///     }
/// }
///
/// @_cdecl("trainer_plugin_entry")   // Swift 6.3 also accepts @c(trainer_plugin_entry)
/// public func trainerPluginEntry() -> UnsafeRawPointer { export(StopAtLoss.self) }
/// ```
///
/// Rules the SDK relies on:
/// - One plugin type per shared object (the ABI has one entry symbol per `.so`).
/// - The host calls `init`, every hook, `saveState`, `loadState` and `deinit` on one thread,
///   one call at a time; a plugin needs no locks.
/// - A thrown error never crosses the C boundary: the SDK logs it through the host and returns
///   `TRAINER_STATUS_ERROR`, which ends the run. An error thrown by `init` becomes the
///   host's "cannot create plugin" message.
public protocol TrainerCallback: AnyObject {
    /// Unique id: ASCII letters, digits, `_`, `-`, `.`. Bundled plugins use Keras's class
    /// names ("EarlyStopping"). The command line matches it case-insensitively.
    static var id: String { get }
    /// Human-readable name; defaults to `id`.
    static var name: String { get }
    /// The plugin's own version, e.g. "1.0.0".
    static var version: String { get }
    /// One line, shown by `trainer plugins`.
    static var summary: String { get }
    /// The parameter schema, in the order `trainer plugins info` shows it. The host validates a
    /// run's settings against it before training starts; defaults to no parameters.
    static var parameters: [ParameterSpec] { get }

    /// Creates the instance for one run. `parameters` holds a value for every parameter of the
    /// schema (defaults filled in, already validated by the host). `host` stays valid for the
    /// instance's whole life: keep it to call back into the host from hooks.
    init(parameters: Parameters, host: Host) throws
}

extension TrainerCallback {
    public static var name: String { id }
    public static var parameters: [ParameterSpec] { [] }
}

/// A plugin whose state survives a resumed run (EarlyStopping's best value and wait counter,
/// say). Adopt it to fill the descriptor's `save_state`/`load_state`; without it they are NULL.
///
/// `loadState` receives bytes an earlier `saveState` of the same plugin version produced; the
/// host calls it after `init` and before `onTrainBegin`. `StateWriter` and `StateReader`
/// encode the usual values.
public protocol StatefulCallback: TrainerCallback {
    func saveState() throws -> [UInt8]
    func loadState(_ bytes: [UInt8]) throws
}
