/// Receives Keras's callback hooks from `fit`, `evaluate` and `predict`.
///
/// The engine holds exactly one; the plugin host implements it and fans each call out to the
/// plugins that provide that hook. A thrown error ends the run (Keras: an exception in a
/// callback). `logs` is reused by the caller: copy what you keep.
public protocol FitCallback: AnyObject {
    func trainBegin(logs: Logs) throws
    func trainEnd(logs: Logs) throws
    func epochBegin(_ epoch: Int, logs: Logs) throws
    func epochEnd(_ epoch: Int, logs: Logs) throws
    func trainBatchBegin(_ batch: Int, logs: Logs) throws
    func trainBatchEnd(_ batch: Int, logs: Logs) throws
    func testBegin(logs: Logs) throws
    func testEnd(logs: Logs) throws
    func testBatchBegin(_ batch: Int, logs: Logs) throws
    func testBatchEnd(_ batch: Int, logs: Logs) throws
    func predictBegin(logs: Logs) throws
    func predictEnd(logs: Logs) throws
    func predictBatchBegin(_ batch: Int, logs: Logs) throws
    func predictBatchEnd(_ batch: Int, logs: Logs) throws
}

/// Does nothing at every hook; subclass it to observe only some.
open class FitCallbackBase: FitCallback {
    public init() {}
    open func trainBegin(logs: Logs) throws {}
    open func trainEnd(logs: Logs) throws {}
    open func epochBegin(_ epoch: Int, logs: Logs) throws {}
    open func epochEnd(_ epoch: Int, logs: Logs) throws {}
    open func trainBatchBegin(_ batch: Int, logs: Logs) throws {}
    open func trainBatchEnd(_ batch: Int, logs: Logs) throws {}
    open func testBegin(logs: Logs) throws {}
    open func testEnd(logs: Logs) throws {}
    open func testBatchBegin(_ batch: Int, logs: Logs) throws {}
    open func testBatchEnd(_ batch: Int, logs: Logs) throws {}
    open func predictBegin(logs: Logs) throws {}
    open func predictEnd(logs: Logs) throws {}
    open func predictBatchBegin(_ batch: Int, logs: Logs) throws {}
    open func predictBatchEnd(_ batch: Int, logs: Logs) throws {}
}
