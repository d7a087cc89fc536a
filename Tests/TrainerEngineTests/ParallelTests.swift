import XCTest
@testable import TrainerEngine

final class ParallelTests: XCTestCase {
    func testRangesPartitionTheItems() {
        for count in [0, 1, 5, 32, 100, 101_770] {
            for parts in 1...4 {
                for alignment in [1, 16, 64] {
                    var next = 0
                    for part in 0..<parts {
                        let r = Parallel.range(of: count, part: part, parts: parts, alignment: alignment)
                        XCTAssertEqual(r.lowerBound, next, "count \(count), parts \(parts), alignment \(alignment)")
                        if part < parts - 1 { XCTAssertEqual(r.upperBound % alignment == 0 || r.upperBound == count, true) }
                        next = r.upperBound
                    }
                    XCTAssertEqual(next, count)
                }
            }
        }
    }

    /// A batch gathered in parts across threads holds the same floats as one gather of its
    /// samples, for full batches and the partial last one.
    func testBatchesGatheredInPartsMatchOneGather() {
        let dataset = blobs(count: 37, classes: 3, seed: 5)
        let source = BatchSource(dataset, batchSize: 16)
        for step in 0..<source.steps {
            let n = source.load(step: step)
            let indices = Array(step * 16 ..< min(37, step * 16 + 16))
            XCTAssertEqual(n, indices.count)
            var features = [Float](repeating: -1, count: n * dataset.featureSize)
            var targets = [Float](repeating: -1, count: n)
            indices.withUnsafeBufferPointer { ip in
                features.withUnsafeMutableBufferPointer { fp in
                    targets.withUnsafeMutableBufferPointer { tp in
                        dataset.gather(ip, features: fp.baseAddress!, targets: tp.baseAddress!)
                    }
                }
            }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: source.features.pointer, count: features.count)), features)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: source.targets.pointer, count: n)), targets)
        }
    }

    func testEveryPartRunsOnce() {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        defer { counts.deallocate() }
        for parts in [1, 2, 3, 8] {
            for _ in 0..<200 {
                counts.initialize(repeating: 0, count: 8)
                Parallel.run(parts: parts) { part in counts[part] += 1 }
                XCTAssertEqual(Array(UnsafeBufferPointer(start: counts, count: parts)), Array(repeating: 1, count: parts))
            }
        }
    }

    /// A convolutional model trained twice from the same seed ends with the same bits, with
    /// its batches split across threads.
    func testSplitBatchesAreReproducible() throws {
        func train() throws -> [Float] {
            let model = Sequential([
                Conv2D(8, kernelSize: 3, activation: .relu), MaxPooling2D(), Conv2D(16, kernelSize: 3, activation: .relu),
                Flatten(), Dense(3, activation: .softmax),
            ])
            try model.build(inputShape: [10, 10, 2], maxBatch: 7, seed: 3)
            model.compile(optimizer: Adam(), loss: SparseCategoricalCrossentropy())
            let x = randomFloats(7 * 200, seed: 5)
            let y = (0..<7).map { Float($0 % 3) }
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    for _ in 0..<5 { _ = model.trainStep(input: xp.baseAddress!, target: yp.baseAddress!, batch: 7) }
                }
            }
            return model.weights.flatMap(\.values)
        }
        let a = try train(), b = try train()
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
    }
}

/// A Dense layer large enough for its products to be split across threads, against plain
/// loops: output, kernel and bias gradients, input gradient.
final class SplitDenseTests: XCTestCase {
    func testSplitDenseMatchesPlainProducts() throws {
        let (batch, inputs, units) = (9, 403, 300)
        XCTAssertGreaterThanOrEqual(batch * inputs * units, Dense.parallelWork)
        let layer = Dense(units)
        var rng = SplitMix64(seed: 4)
        try layer.build(inputShape: [inputs], maxBatch: batch, rng: &rng)
        layer.bias!.setValues(randomFloats(units, seed: 6))
        let x = randomFloats(batch * inputs, seed: 5)
        let w = layer.kernel.values, b = layer.bias!.values
        var dz = randomFloats(batch * units, seed: 7)
        let dzCopy = dz
        var dx: [Float] = []
        x.withUnsafeBufferPointer { xp in
            layer.forward(xp.baseAddress!, batch: batch, training: true)
            dz.withUnsafeMutableBufferPointer { dp in
                let g = layer.backward(xp.baseAddress!, outputGradient: dp.baseAddress!, batch: batch, needsInputGradient: true)!
                dx = Array(UnsafeBufferPointer(start: g, count: batch * inputs))
            }
        }
        for n in 0..<batch {
            for u in 0..<units {
                var s = Double(b[u])
                for i in 0..<inputs { s += Double(x[n * inputs + i]) * Double(w[i * units + u]) }
                XCTAssertEqual(Double(layer.output[n * units + u]), s, accuracy: 1e-3)
            }
        }
        let dw = layer.kernel.gradient!, db = layer.bias!.gradient!
        for i in stride(from: 0, to: inputs, by: 7) {
            for u in 0..<units {
                var s = 0.0
                for n in 0..<batch { s += Double(x[n * inputs + i]) * Double(dzCopy[n * units + u]) }
                XCTAssertEqual(Double(dw[i * units + u]), s, accuracy: 1e-3)
            }
        }
        for u in 0..<units {
            var s = 0.0
            for n in 0..<batch { s += Double(dzCopy[n * units + u]) }
            XCTAssertEqual(Double(db[u]), s, accuracy: 1e-3)
        }
        for n in 0..<batch {
            for i in 0..<inputs {
                var s = 0.0
                for u in 0..<units { s += Double(dzCopy[n * units + u]) * Double(w[i * units + u]) }
                XCTAssertEqual(Double(dx[n * inputs + i]), s, accuracy: 1e-3)
            }
        }
    }
}
