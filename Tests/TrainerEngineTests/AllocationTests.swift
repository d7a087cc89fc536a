import XCTest
import AllocationCounter
#if canImport(Glibc)
import Glibc
#endif
@testable import TrainerEngine

/// Training steps must not allocate: every buffer is made by `build`. After warm-up steps,
/// further steps must make no call to malloc or its kin (AllocationCounter), not even for a
/// buffer they free again before returning, which a count of bytes in use cannot see. The one
/// allocation allowed is the wrapper Swift makes for each call `Parallel` hands to its worker
/// threads (`Parallel.jobsForWorkers` counts them): the tests expect exactly that many.
///
/// Only the threads a step runs on are counted: the calling thread and the engine's worker
/// threads (`Parallel`). Other threads of the test process (XCTest's, Foundation's) may
/// allocate at any time, and counting them would make the tests flaky; OpenBLAS's own threads,
/// which large products use, are not the engine's.
final class AllocationTests: XCTestCase {
    /// Counts the calls of the calling thread and of each engine worker thread (with
    /// `Parallel.threadCount` parts, part p runs on thread p); returns how many different
    /// threads ran the parts.
    private func countEngineThreads() -> Int {
        allocation_counter_count_this_thread(1)
        let threads = Parallel.threadCount
        let ids = UnsafeMutablePointer<pthread_t>.allocate(capacity: threads)
        defer { ids.deallocate() }
        Parallel.run(parts: threads) { part in
            allocation_counter_count_this_thread(1)
            ids[part] = pthread_self()
        }
        return Set((0..<threads).map { ids[$0] }).count
    }

    /// What `body` does on the engine's threads: its calls to malloc and its kin, and the calls
    /// it hands to the worker threads. The worker threads stay counted afterwards (they run
    /// nothing but the engine's parts).
    private func allocations(during body: () throws -> Void) throws -> (calls: Int, jobs: Int) {
        guard allocation_counter_active() != 0 else {
            throw XCTSkip("AllocationCounter does not replace malloc here (it does on Linux with glibc)")
        }
        XCTAssertEqual(countEngineThreads(), Parallel.threadCount, "not every engine thread is counted")
        defer { allocation_counter_count_this_thread(0) }
        let callsBefore = allocation_counter_calls(), jobsBefore = Parallel.jobsForWorkers
        try body()
        return (Int(allocation_counter_calls() - callsBefore), Parallel.jobsForWorkers - jobsBefore)
    }

    /// What 50 training and 50 test steps of `model` do, after 3 warm-up steps.
    private func stepAllocations(_ model: Sequential, inputShape: [Int], batch: Int,
                                 classes: Int) throws -> (calls: Int, jobs: Int) {
        let x = randomFloats(batch * inputShape.reduce(1, *), seed: 1)
        let y = (0..<batch).map { Float($0 % classes) }
        let metrics: [Metric] = [SparseCategoricalAccuracy(name: "accuracy")]
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        return try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeBufferPointer { yp in
                for _ in 0..<3 { _ = model.trainStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics) }
                return try allocations {
                    for _ in 0..<50 {
                        _ = model.trainStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics)
                        _ = model.testStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics)
                    }
                }
            }
        }
    }

    private func assertStepsDoNotAllocate(_ model: Sequential, inputShape: [Int], batch: Int, classes: Int,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let (calls, jobs) = try stepAllocations(model, inputShape: inputShape, batch: batch, classes: classes)
        XCTAssertEqual(calls, jobs,
                       "100 steps called malloc or its kin \(calls) times, for \(jobs) jobs of the worker threads",
                       file: file, line: line)
    }

    /// A model whose first layer allocates a buffer and frees it in every forward pass: on the
    /// calling thread, or on the last engine thread.
    private func modelWithScratchBuffer(onWorkerThread: Bool) throws -> Sequential {
        let model = Sequential([ScratchBufferLayer(onWorkerThread: onWorkerThread), Dense(10, activation: .softmax)])
        try model.build(inputShape: [8], maxBatch: 4)
        model.compile(optimizer: SGD(), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        return model
    }

    /// What the measure must see: a step that allocates a buffer and frees it before it
    /// returns, once in each of the 100 steps' forward passes.
    func testTheMeasureSeesABufferFreedWithinTheStep() throws {
        let model = try modelWithScratchBuffer(onWorkerThread: false)
        let (calls, jobs) = try stepAllocations(model, inputShape: [8], batch: 4, classes: 10)
        XCTAssertGreaterThanOrEqual(calls, jobs + 100)
    }

    func testTheMeasureSeesAllocationsOnWorkerThreads() throws {
        guard Parallel.threadCount > 1 else {
            throw XCTSkip("the engine runs on one thread here (one core, or TRAINER_THREADS=1): "
                          + "no worker thread to count")
        }
        let model = try modelWithScratchBuffer(onWorkerThread: true)
        let (calls, jobs) = try stepAllocations(model, inputShape: [8], batch: 4, classes: 10)
        XCTAssertGreaterThanOrEqual(jobs, 100)
        XCTAssertGreaterThanOrEqual(calls, jobs + 100)
    }

    func testMLPStepsDoNotAllocate() throws {
        let model = Sequential([Flatten(), Dense(32, activation: .relu), Dropout(0.2), Dense(10, activation: .softmax)])
        try model.build(inputShape: [8, 8], maxBatch: 16)
        model.compile(optimizer: Adam(), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        model.reseedLayers(seed: 1, epoch: 0)
        try assertStepsDoNotAllocate(model, inputShape: [8, 8], batch: 16, classes: 10)
    }

    /// Products large enough to be split across threads (Dense, Conv2D, pooling, optimizer).
    func testSplitStepsDoNotAllocate() throws {
        let model = Sequential([
            Conv2D(8, kernelSize: 3, activation: .relu), MaxPooling2D(), Flatten(),
            Dense(400, activation: .relu), Dense(10, activation: .softmax),
        ])
        try model.build(inputShape: [14, 14, 1], maxBatch: 12)
        model.compile(optimizer: Adam(), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        XCTAssertGreaterThanOrEqual(12 * 288 * 400, Dense.parallelWork)
        try assertStepsDoNotAllocate(model, inputShape: [14, 14, 1], batch: 12, classes: 10)
    }

    func testCNNStepsDoNotAllocate() throws {
        let model = Sequential([
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu), BatchNormalization(), MaxPooling2D(),
            Conv2D(4, kernelSize: 3, activation: .tanh), AveragePooling2D(), Flatten(), Dense(3, activation: .softmax),
        ])
        try model.build(inputShape: [8, 8, 2], maxBatch: 4)
        model.compile(optimizer: RMSprop(momentum: 0.5), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        try assertStepsDoNotAllocate(model, inputShape: [8, 8, 2], batch: 4, classes: 3)
    }

    /// A fit makes a few objects of its own (logs, history, batch buffers), but none for each
    /// step: ten epochs of 80 steps make about as many calls as ten epochs of 8 steps, besides
    /// the jobs of the worker threads. About: History's arrays grow by reallocation as epochs
    /// are recorded, and how often depends on the room malloc leaves spare, a call or two either
    /// way; one call in every tenth step would make 72 more.
    func testFitAllocatesNothingPerStep() throws {
        func fitAllocations(samples: Int) throws -> Int {
            let data = blobs(count: samples)
            let model = Sequential([Dense(16, activation: .relu), Dense(3, activation: .softmax)])
            try model.build(inputShape: [2], maxBatch: 8)
            model.compile(optimizer: SGD(momentum: 0.9), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
            try model.fit(train: data, epochs: 1, batchSize: 8)
            let (calls, jobs) = try allocations { try model.fit(train: data, epochs: 10, batchSize: 8) }
            return calls - jobs
        }
        let few = try fitAllocations(samples: 64), many = try fitAllocations(samples: 640)
        XCTAssertLessThanOrEqual(abs(many - few), 8,
                                 "10 epochs of 80 steps called malloc or its kin \(many) times, of 8 steps \(few) times")
    }

    /// Data-parallel steps (gradients packed into the fused buffer, summed, averaged; the
    /// control values; the epoch's sums) allocate nothing either.
    func testDataParallelFitAllocatesNothingPerStep() throws {
        func fitAllocations(samples: Int) throws -> Int {
            let data = blobs(count: samples)
            let model = Sequential([Dense(16, activation: .relu), Dense(3, activation: .softmax)])
            try model.build(inputShape: [2], maxBatch: 8)
            model.compile(optimizer: SGD(momentum: 0.9), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
            let twin = TwinRanks()
            try model.fit(train: data, validation: data, epochs: 1, batchSize: 8, communicator: twin)
            let (calls, jobs) = try allocations {
                try model.fit(train: data, validation: data, epochs: 10, batchSize: 8, communicator: twin)
            }
            XCTAssertGreaterThan(twin.sums, 10 * samples / 16, "the steps were not summed across ranks")
            return calls - jobs
        }
        let few = try fitAllocations(samples: 128), many = try fitAllocations(samples: 1280)
        XCTAssertLessThanOrEqual(abs(many - few), 8,
                                 "10 epochs of 80 data-parallel steps called malloc or its kin \(many) times, of 8 steps \(few) times")
    }
}

/// Rank 0 of two ranks that hold the same numbers: a sum doubles every value.
private final class TwinRanks: Communicator {
    let rank = 0, worldSize = 2
    var sums = 0
    func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        sums += 1
        for i in 0..<count { buffer[i] *= 2 }
    }
    func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { buffer[i] *= 2 }
    }
    func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int) {}
}

/// Passes its input on, and allocates a scratch buffer, writes it and frees it in every forward
/// pass: on the calling thread, or on the last engine thread (in a `Parallel` part).
private final class ScratchBufferLayer: Layer {
    let onWorkerThread: Bool

    init(onWorkerThread: Bool) {
        self.onWorkerThread = onWorkerThread
        super.init(name: nil)
    }

    override var kerasClassName: String { "ScratchBuffer" }

    override func forward(_ input: UnsafePointer<Float>, batch: Int, training: Bool) {
        let threads = Parallel.threadCount
        Parallel.run(parts: threads) { part in
            guard part == (onWorkerThread ? threads - 1 : 0) else { return }
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 256)
            scratch.initialize(repeating: input[0], count: 256)
            scratch.deallocate()
        }
        output = UnsafeMutablePointer(mutating: input)
    }

    override func backward(_ input: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>,
                           batch: Int, needsInputGradient: Bool) -> UnsafeMutablePointer<Float>? {
        needsInputGradient ? outputGradient : nil
    }
}
