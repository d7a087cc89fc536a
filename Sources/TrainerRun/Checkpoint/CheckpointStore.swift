import Foundation
import TrainerEngine

/// Checkpoints of a whole run (`trainer.checkpoint/1`) in a directory:
///
///     <dir>/checkpoint-000012/   the newest complete one
///         position.json          epoch, batch, learning rate, seed, plugin list, model
///         weights.safetensors
///         optimizer.safetensors
///         plugin-0-History.bin   each plugin's saved state, by position in the run
///
/// A checkpoint is written as `checkpoint-N.partial`, then renamed; older ones are removed
/// after. A crash at any moment leaves at least one complete checkpoint, and `.partial`
/// directories are ignored (and cleaned up by the next save).
struct CheckpointStore {
    let directory: String

    /// Where a run stands when a checkpoint is taken.
    struct Position: Codable, Equatable {
        /// The epoch in progress or just finished.
        var epoch: Int
        /// The last finished batch of `epoch`, or nil when the whole epoch finished.
        var batch: Int?
        var learningRate: Double
        var seed: UInt64
        /// Plugin ids in run order; a resume needs the same list.
        var plugins: [String]
        /// Weight names and shapes, "dense/kernel[784,128]"; a resume needs the same model.
        var model: [String]
        /// The running means of the epoch in progress when `batch` is not nil (absent from
        /// checkpoints of older versions: the resumed epoch's logs then cover its rest only).
        var progress: EpochProgress?

        /// Where training goes on from: (epoch, first step to run in it).
        var next: (epoch: Int, step: Int) {
            if let batch { return (epoch, batch + 1) }
            return (epoch + 1, 0)
        }
    }

    struct Checkpoint {
        var path: String
        var position: Position
    }

    private var fileManager: FileManager { .default }

    private func checkpoints() -> [(number: Int, name: String)] {
        let names = (try? fileManager.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), !name.hasSuffix(".partial"),
                  let number = Int(name.dropFirst("checkpoint-".count)) else { return nil }
            return (number, name)
        }.sorted { $0.0 < $1.0 }
    }

    /// The newest complete checkpoint, if any.
    func newest() throws -> Checkpoint? {
        guard let last = checkpoints().last else { return nil }
        let path = (directory as NSString).appendingPathComponent(last.name)
        let file = (path as NSString).appendingPathComponent("position.json")
        guard let data = fileManager.contents(atPath: file) else {
            throw CheckpointError("\(file): missing")
        }
        do {
            return Checkpoint(path: path, position: try JSONDecoder().decode(Position.self, from: data))
        } catch {
            throw CheckpointError("\(file): not a checkpoint position (\(error))")
        }
    }

    /// Writes a new checkpoint and removes the older ones.
    func save(position: Position, model: Sequential, pluginStates: [(id: String, bytes: [UInt8]?)]) throws {
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let existing = checkpoints()
        let number = (existing.last?.number ?? 0) + 1
        let name = String(format: "checkpoint-%06d", number)
        let final = (directory as NSString).appendingPathComponent(name)
        let partial = final + ".partial"
        try? fileManager.removeItem(atPath: partial)
        try fileManager.createDirectory(atPath: partial, withIntermediateDirectories: true)
        func inside(_ file: String) -> String { (partial as NSString).appendingPathComponent(file) }

        try model.saveWeights(to: inside("weights.safetensors"))
        try model.optimizer?.saveState(to: inside("optimizer.safetensors"))
        for (index, state) in pluginStates.enumerated() {
            guard let bytes = state.bytes else { continue }
            try Data(bytes).write(to: URL(fileURLWithPath: inside("plugin-\(index)-\(state.id).bin")))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(position).write(to: URL(fileURLWithPath: inside("position.json")))
        try syncDirectory(partial)
        guard rename(partial, final) == 0 else {
            throw CheckpointError("\(final): cannot rename into place: \(String(cString: strerror(errno)))")
        }
        try syncDirectory(directory)
        for old in existing {
            try? fileManager.removeItem(atPath: (directory as NSString).appendingPathComponent(old.name))
        }
        let names = (try? fileManager.contentsOfDirectory(atPath: directory)) ?? []
        for stale in names where stale.hasSuffix(".partial") {
            try? fileManager.removeItem(atPath: (directory as NSString).appendingPathComponent(stale))
        }
    }

    /// Reads a plugin's saved state from a checkpoint (nil when it saved none).
    func pluginState(in checkpoint: Checkpoint, index: Int, id: String) -> [UInt8]? {
        let file = (checkpoint.path as NSString).appendingPathComponent("plugin-\(index)-\(id).bin")
        return fileManager.contents(atPath: file).map { [UInt8]($0) }
    }

    /// Removes every checkpoint (and the directory when it is left empty).
    func removeAll() throws {
        for entry in (try? fileManager.contentsOfDirectory(atPath: directory)) ?? [] where entry.hasPrefix("checkpoint-") {
            try fileManager.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
        }
        if (try? fileManager.contentsOfDirectory(atPath: directory))?.isEmpty ?? false {
            try? fileManager.removeItem(atPath: directory)
        }
    }

    /// Flushes a directory's entries (and the files in it) to disk.
    private func syncDirectory(_ path: String) throws {
        for entry in (try? fileManager.contentsOfDirectory(atPath: path)) ?? [] {
            let fd = open((path as NSString).appendingPathComponent(entry), O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw CheckpointError("\(path): cannot open to sync") }
        fsync(fd)
        close(fd)
    }
}

/// A checkpoint that cannot be written or read.
struct CheckpointError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
