import CTrainerPlugin

extension Host {
    /// The host's "trainer.checkpoint/1" extension (the whole training state, for resumable
    /// runs), or nil when the host does not have it (e.g. `trainer replay`).
    public var checkpoints: Checkpoints? {
        guard let table = extensionTable(TRAINER_EXT_CHECKPOINT, as: trainer_checkpoint_ext_t.self),
              table.save != nil, table.resume != nil, table.remove != nil else { return nil }
        return Checkpoints(host: self, table: table)
    }
}

/// Saving and resuming the whole training state: weights, optimizer, position, and every
/// plugin's saved state. See `trainer_checkpoint_ext_t` in trainer_plugin.h.
public struct Checkpoints {
    let host: Host
    let table: trainer_checkpoint_ext_t

    /// Writes a checkpoint into `directory` (from on_epoch_end or on_train_batch_end).
    public func save(to directory: String) throws {
        try host.withErrorBuffer("save a checkpoint") { buffer, size in
            table.save?(host.table, directory, buffer, size)
        }
    }

    /// Asks to resume from the newest checkpoint in `directory` (from `init` only); false
    /// when there is none.
    public func resume(from directory: String) throws -> Bool {
        var found: Int32 = 0
        try host.withErrorBuffer("resume from a checkpoint") { buffer, size in
            table.resume?(host.table, directory, &found, buffer, size)
        }
        return found != 0
    }

    /// Removes the checkpoints in `directory`.
    public func remove(in directory: String) throws {
        try host.withErrorBuffer("remove checkpoints") { buffer, size in
            table.remove?(host.table, directory, buffer, size)
        }
    }
}
