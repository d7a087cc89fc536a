import TrainerEngine

/// Passes every hook on, noting where the run stands first, so a checkpoint taken inside a
/// hook knows which epoch and batch it follows.
final class PositionTracker: FitCallback {
    let next: FitCallback
    /// The epoch in progress, and its last finished batch: -1 before the first, nil once the
    /// epoch has ended.
    private(set) var epoch = 0
    private(set) var batch: Int? = -1

    init(_ next: FitCallback) { self.next = next }

    func trainBegin(logs: Logs) throws { try next.trainBegin(logs: logs) }
    func trainEnd(logs: Logs) throws { try next.trainEnd(logs: logs) }
    func epochBegin(_ epoch: Int, logs: Logs) throws {
        self.epoch = epoch
        batch = -1
        try next.epochBegin(epoch, logs: logs)
    }
    func epochEnd(_ epoch: Int, logs: Logs) throws {
        batch = nil
        try next.epochEnd(epoch, logs: logs)
    }
    func trainBatchBegin(_ batch: Int, logs: Logs) throws { try next.trainBatchBegin(batch, logs: logs) }
    func trainBatchEnd(_ batch: Int, logs: Logs) throws {
        self.batch = batch
        try next.trainBatchEnd(batch, logs: logs)
    }
    func testBegin(logs: Logs) throws { try next.testBegin(logs: logs) }
    func testEnd(logs: Logs) throws { try next.testEnd(logs: logs) }
    func testBatchBegin(_ batch: Int, logs: Logs) throws { try next.testBatchBegin(batch, logs: logs) }
    func testBatchEnd(_ batch: Int, logs: Logs) throws { try next.testBatchEnd(batch, logs: logs) }
    func predictBegin(logs: Logs) throws { try next.predictBegin(logs: logs) }
    func predictEnd(logs: Logs) throws { try next.predictEnd(logs: logs) }
    func predictBatchBegin(_ batch: Int, logs: Logs) throws { try next.predictBatchBegin(batch, logs: logs) }
    func predictBatchEnd(_ batch: Int, logs: Logs) throws { try next.predictBatchEnd(batch, logs: logs) }
}
