import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import TrainerEngine

/// glibc's `mallinfo2().uordblks`: bytes currently allocated with malloc. Swift does not
/// import <malloc.h>, so the function is looked up by name; its 80-byte struct result is
/// returned through a hidden pointer argument (x86-64 System V), which is how it is called.
private func mallocBytesInUse() -> Int? {
    #if arch(x86_64) && os(Linux)
    guard let symbol = dlsym(nil, "mallinfo2") else { return nil } // nil: RTLD_DEFAULT
    typealias MallInfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
    let function = unsafeBitCast(symbol, to: MallInfo2.self)
    var fields = [Int](repeating: 0, count: 10) // arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost
    fields.withUnsafeMutableBytes { _ = function($0.baseAddress!) }
    return fields[7]
    #else
    return nil
    #endif
}

/// Training steps must not allocate: every buffer is made by `build`. After warm-up steps,
/// further steps must leave glibc's count of bytes in use unchanged.
final class AllocationTests: XCTestCase {
    #if canImport(Glibc)
    private func bytesInUse() throws -> Int {
        guard let bytes = mallocBytesInUse() else { throw XCTSkip("mallinfo2 is not available here") }
        return bytes
    }

    private func assertStepsDoNotAllocate(_ model: Sequential, inputShape: [Int], batch: Int, classes: Int,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let x = randomFloats(batch * inputShape.reduce(1, *), seed: 1)
        let y = (0..<batch).map { Float($0 % classes) }
        let metrics: [Metric] = [SparseCategoricalAccuracy(name: "accuracy")]
        let denormals = FlushDenormals()
        defer { denormals.restore() }
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeBufferPointer { yp in
                for _ in 0..<3 { _ = model.trainStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics) }
                // Other threads of the test process may allocate now and then, so look at a few
                // windows of 50 steps: allocations made by the steps would change every window.
                var changes: [Int] = []
                for _ in 0..<5 {
                    let before = try bytesInUse()
                    for _ in 0..<50 {
                        _ = model.trainStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics)
                        _ = model.testStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: batch, metrics: metrics)
                    }
                    changes.append(try bytesInUse() - before)
                    if changes.last == 0 { break }
                }
                XCTAssertEqual(changes.last, 0, "bytes in use changed across training steps: \(changes)", file: file, line: line)
            }
        }
    }

    func testTheMeasureSeesAllocations() throws {
        let before = try bytesInUse()
        let kept = [Float](repeating: 1, count: 10_000)
        XCTAssertGreaterThanOrEqual(try bytesInUse() - before, 39_000)
        withExtendedLifetime(kept) {}
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

    func testFitEpochsDoNotGrowMemory() throws {
        let data = blobs(count: 64)
        let model = Sequential([Dense(16, activation: .relu), Dense(3, activation: .softmax)])
        try model.build(inputShape: [2], maxBatch: 8)
        model.compile(optimizer: SGD(momentum: 0.9), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        try model.fit(train: data, epochs: 1, batchSize: 8)
        // A fit makes a few objects of its own (logs, history, batch buffers) and other threads
        // may allocate: allow for that, but not for anything proportional to the 240 steps.
        var changes: [Int] = []
        for _ in 0..<3 {
            let before = try bytesInUse()
            try model.fit(train: data, epochs: 30, batchSize: 8)
            changes.append(try bytesInUse() - before)
        }
        XCTAssertLessThan(changes.map(abs).min()!, 8192, "\(changes)")
    }
    #endif
}
