import XCTest
import TrainerData
@testable import TrainerEngine

/// A small in-memory dataset for tests.
final class ArrayDataset: Dataset {
    let features: [Float]
    let targets: [Float]
    let featureShape: [Int]
    let targetShape: [Int]
    let classCount: Int?
    let count: Int
    /// Floats in one sample's features and target, kept: `gather` must not allocate, and
    /// Dataset's `featureSize` and `targetSize` do in a debug build (`reduce`, unspecialised).
    let featureSize: Int, targetSize: Int

    init(features: [Float], featureShape: [Int], targets: [Float], targetShape: [Int] = [], classCount: Int? = nil) {
        self.features = features
        self.targets = targets
        self.featureShape = featureShape
        self.targetShape = targetShape
        self.classCount = classCount
        featureSize = featureShape.reduce(1, *)
        targetSize = targetShape.reduce(1, *)
        count = features.count / featureSize
        precondition(targets.count == count * targetSize)
    }

    func gather(_ indices: UnsafeBufferPointer<Int>, features out: UnsafeMutablePointer<Float>,
                targets outTargets: UnsafeMutablePointer<Float>) {
        let fs = featureSize, ts = targetSize
        features.withUnsafeBufferPointer { f in
            targets.withUnsafeBufferPointer { t in
                for k in 0..<indices.count { // by index, as enumerated() allocates in a debug build
                    let i = indices[k]
                    (out + k * fs).update(from: f.baseAddress! + i * fs, count: fs)
                    (outTargets + k * ts).update(from: t.baseAddress! + i * ts, count: ts)
                }
            }
        }
    }
}

/// Two Gaussian-ish blobs per class on a plane: a problem an MLP learns quickly.
func blobs(count: Int, classes: Int = 3, seed: UInt64 = 7) -> ArrayDataset {
    var rng = SplitMix64(seed: seed)
    var x: [Float] = []
    var y: [Float] = []
    for i in 0..<count {
        let c = i % classes
        let angle = Double(c) * 2 * Double.pi / Double(classes)
        x.append(Float(3 * cos(angle) + (rng.nextDouble() - 0.5) * 1.5))
        x.append(Float(3 * sin(angle) + (rng.nextDouble() - 0.5) * 1.5))
        y.append(Float(c))
    }
    return ArrayDataset(features: x, featureShape: [2], targets: y, classCount: classes)
}

func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { _ in (rng.nextFloat() * 2 - 1) * scale }
}

/// Records every hook as a line, with the log names (and values where useful).
final class RecordingCallback: FitCallback {
    var lines: [String] = []
    var onEvent: ((String) -> Void)?
    var lastEpochLogs: [String: Double] = [:]

    private func note(_ s: String, _ logs: Logs) {
        let line = logs.count == 0 ? s : s + " " + logs.names.joined(separator: ",")
        lines.append(line)
        onEvent?(line)
    }
    func trainBegin(logs: Logs) throws { note("train_begin", logs) }
    func trainEnd(logs: Logs) throws { note("train_end", logs) }
    func epochBegin(_ epoch: Int, logs: Logs) throws { note("epoch_begin \(epoch)", logs) }
    func epochEnd(_ epoch: Int, logs: Logs) throws {
        XCTAssertEqual(logs.names.count, logs.values.count, "epoch \(epoch)'s logs: names and values")
        lastEpochLogs = Dictionary(uniqueKeysWithValues: zip(logs.names, logs.values))
        note("epoch_end \(epoch)", logs)
    }
    func trainBatchBegin(_ batch: Int, logs: Logs) throws { note("train_batch_begin \(batch)", logs) }
    func trainBatchEnd(_ batch: Int, logs: Logs) throws { note("train_batch_end \(batch)", logs) }
    func testBegin(logs: Logs) throws { note("test_begin", logs) }
    func testEnd(logs: Logs) throws { note("test_end", logs) }
    func testBatchBegin(_ batch: Int, logs: Logs) throws { note("test_batch_begin \(batch)", logs) }
    func testBatchEnd(_ batch: Int, logs: Logs) throws { note("test_batch_end \(batch)", logs) }
    func predictBegin(logs: Logs) throws { note("predict_begin", logs) }
    func predictEnd(logs: Logs) throws { note("predict_end", logs) }
    func predictBatchBegin(_ batch: Int, logs: Logs) throws { note("predict_batch_begin \(batch)", logs) }
    func predictBatchEnd(_ batch: Int, logs: Logs) throws { note("predict_batch_end \(batch)", logs) }
}

/// Checks a layer's backward pass against central finite differences of
/// `L = Σ r · output` for a fixed random `r`: the input gradient and every trainable weight's.
func checkLayerGradients(_ layer: Layer, inputShape: [Int], batch: Int, seed: UInt64 = 1,
                         inputScale: Float = 1, epsilon: Float = 1e-3, tolerance: Double = 2e-3,
                         file: StaticString = #filePath, line: UInt = #line) throws {
    var rng = SplitMix64(seed: seed)
    try layer.build(inputShape: inputShape, maxBatch: batch, rng: &rng)
    // Non-zero biases so that checks see them matter.
    for w in layer.weights where w.isTrainable {
        for i in 0..<w.count { w.value[i] += (rng.nextFloat() - 0.5) * 0.2 }
    }
    var x = randomFloats(batch * layer.inputSize, seed: seed &+ 11, scale: inputScale)
    let r = randomFloats(batch * layer.outputSize, seed: seed &+ 12)

    func lossValue() -> Double {
        layer.reseed(seed)
        x.withUnsafeBufferPointer { layer.forward($0.baseAddress!, batch: batch, training: true) }
        var s: Double = 0
        for i in 0..<r.count { s += Double(r[i]) * Double(layer.output[i]) }
        return s
    }

    _ = lossValue()
    var g = r
    let inputGradient: [Float] = x.withUnsafeBufferPointer { xp in
        g.withUnsafeMutableBufferPointer { gp in
            let dx = layer.backward(xp.baseAddress!, outputGradient: gp.baseAddress!, batch: batch,
                                    needsInputGradient: true)!
            return Array(UnsafeBufferPointer(start: dx, count: batch * layer.inputSize))
        }
    }
    let weightGradients = layer.weights.filter(\.isTrainable).map {
        Array(UnsafeBufferPointer(start: $0.gradient!, count: $0.count))
    }

    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let err = abs(Double(analytic) - numeric)
        if err > tolerance * max(1, abs(numeric)) {
            XCTFail("\(layer.kerasClassName) \(what): analytic \(analytic), numeric \(numeric)", file: file, line: line)
        }
    }
    for i in 0..<x.count {
        let saved = x[i]
        x[i] = saved + epsilon
        let plus = lossValue()
        x[i] = saved - epsilon
        let minus = lossValue()
        x[i] = saved
        compare(inputGradient[i], (plus - minus) / Double(2 * epsilon), "d/dinput[\(i)]")
    }
    for (k, w) in layer.weights.filter(\.isTrainable).enumerated() {
        for i in 0..<w.count {
            let saved = w.value[i]
            w.value[i] = saved + epsilon
            let plus = lossValue()
            w.value[i] = saved - epsilon
            let minus = lossValue()
            w.value[i] = saved
            compare(weightGradients[k][i], (plus - minus) / Double(2 * epsilon), "d/d\(w.name)[\(i)]")
        }
    }
}
