import Glibc
import TrainerPluginSDK

/// Keras's `BackupAndRestore` as a plugin: backs the run up into `backup_dir` (every epoch, or
/// every `save_freq` batches); a run that was interrupted, even by `kill -9`, and is started
/// again with the same command resumes from the last backup, with the weights, the optimizer,
/// the epoch and batch, the data order and every plugin's saved state, and ends with the same
/// weights as a run never interrupted. The backup is removed when training ends normally
/// (`delete_checkpoint`).
///
/// Unlike Keras, the other plugins' state (EarlyStopping's patience counter, the best value of
/// ModelCheckpoint, History's epochs...) is restored too. A relative `backup_dir` is taken from
/// the working directory, not the run directory, since each run has a directory of its own.
public final class BackupAndRestore: TrainerCallback, OnEpochEnd, OnTrainBatchEnd, OnTrainEnd {
    public static let id = "BackupAndRestore"
    public static let version = "1.0.0"
    public static let summary = "Backs the run up so an interrupted run resumes where it stopped."
    public static let parameters: [ParameterSpec] = [
        .required(.string("backup_dir", default: nil, help: "directory of the backups (relative to the working directory)")),
        .string("save_freq", default: "epoch", help: "\"epoch\", or back up every N training batches"),
        .bool("delete_checkpoint", default: true, help: "remove the backup when training ends normally"),
    ]

    private let checkpoints: Checkpoints
    private let directory: String
    /// Back up every this many batches; nil: at every epoch end.
    private let everyBatches: Int?
    private let deleteAtEnd: Bool
    private var batchesSinceBackup = 0

    public init(parameters: Parameters, host: Host) throws {
        guard let directory = try parameters.optionalString("backup_dir"), !directory.isEmpty else {
            throw PluginError("backup_dir is required: the directory to keep backups in")
        }
        let frequency = try parameters.string("save_freq")
        if frequency == "epoch" {
            everyBatches = nil
        } else if let n = Int(frequency), n > 0 {
            everyBatches = n
        } else {
            throw PluginError("save_freq must be \"epoch\" or a positive number of batches, not \"\(frequency)\"")
        }
        guard let checkpoints = host.checkpoints else {
            throw PluginError("this host cannot take checkpoints (trainer.checkpoint/1)")
        }
        self.checkpoints = checkpoints
        self.directory = directory.hasPrefix("/") ? directory : Self.workingDirectory() + "/" + directory
        deleteAtEnd = try parameters.bool("delete_checkpoint")
        if try checkpoints.resume(from: self.directory) {
            host.log(.info, "resuming from the backup in \(directory)")
        }
    }

    private static func workingDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }

    public func onTrainBatchEnd(batch: Int, logs: Logs) throws {
        guard let everyBatches else { return }
        batchesSinceBackup += 1
        if batchesSinceBackup >= everyBatches {
            batchesSinceBackup = 0
            try checkpoints.save(to: directory)
        }
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        if everyBatches == nil { try checkpoints.save(to: directory) }
    }

    public func onTrainEnd(logs: Logs) throws {
        if deleteAtEnd { try checkpoints.remove(in: directory) }
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(BackupAndRestore.self) }
