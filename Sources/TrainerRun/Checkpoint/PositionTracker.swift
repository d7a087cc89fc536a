import TrainerEngine

/// Passes every hook on, noting where the run stands first, so a checkpoint taken inside a
/// hook knows which epoch and batch it follows. A checkpoint a plugin asks for inside a hook is
/// written once every plugin has run that hook, so it holds every plugin's state after the
/// same hook wherever the plugin that asked is listed.
final class PositionTracker: FitCallback {
    let next: FitCallback
    /// The epoch in progress, and its last finished batch: -1 before the first, nil once the
    /// epoch has ended.
    private(set) var epoch = 0
    private(set) var batch: Int? = -1
    /// The directory of a checkpoint asked for during the hook being dispatched.
    var pendingCheckpoint: String?
    /// Writes a checkpoint into a directory.
    let writeCheckpoint: (String) throws -> Void

    init(_ next: FitCallback, writeCheckpoint: @escaping (String) throws -> Void) {
        self.next = next
        self.writeCheckpoint = writeCheckpoint
    }

    /// After a hook went through every plugin: the checkpoint asked for in it, if any.
    @inline(__always)
    private func hookDone() throws {
        if let directory = pendingCheckpoint {
            pendingCheckpoint = nil
            try writeCheckpoint(directory)
        }
    }

    func trainBegin(logs: Logs) throws { try next.trainBegin(logs: logs); try hookDone() }
    func trainEnd(logs: Logs) throws { try next.trainEnd(logs: logs); try hookDone() }
    func epochBegin(_ epoch: Int, logs: Logs) throws {
        self.epoch = epoch
        batch = -1
        try next.epochBegin(epoch, logs: logs)
        try hookDone()
    }
    func epochEnd(_ epoch: Int, logs: Logs) throws {
        batch = nil
        try next.epochEnd(epoch, logs: logs)
        try hookDone()
    }
    func trainBatchBegin(_ batch: Int, logs: Logs) throws { try next.trainBatchBegin(batch, logs: logs); try hookDone() }
    func trainBatchEnd(_ batch: Int, logs: Logs) throws {
        self.batch = batch
        try next.trainBatchEnd(batch, logs: logs)
        try hookDone()
    }
    func testBegin(logs: Logs) throws { try next.testBegin(logs: logs); try hookDone() }
    func testEnd(logs: Logs) throws { try next.testEnd(logs: logs); try hookDone() }
    func testBatchBegin(_ batch: Int, logs: Logs) throws { try next.testBatchBegin(batch, logs: logs); try hookDone() }
    func testBatchEnd(_ batch: Int, logs: Logs) throws { try next.testBatchEnd(batch, logs: logs); try hookDone() }
    func predictBegin(logs: Logs) throws { try next.predictBegin(logs: logs); try hookDone() }
    func predictEnd(logs: Logs) throws { try next.predictEnd(logs: logs); try hookDone() }
    func predictBatchBegin(_ batch: Int, logs: Logs) throws { try next.predictBatchBegin(batch, logs: logs); try hookDone() }
    func predictBatchEnd(_ batch: Int, logs: Logs) throws { try next.predictBatchEnd(batch, logs: logs); try hookDone() }
}
