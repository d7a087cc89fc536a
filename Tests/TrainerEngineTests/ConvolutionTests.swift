import XCTest
@testable import TrainerEngine

final class ConvolutionTests: XCTestCase {
    func testConv2DShapesFollowKeras() throws {
        var rng = SplitMix64(seed: 0)
        let valid = Conv2D(8, kernelSize: 3)
        try valid.build(inputShape: [28, 28, 1], maxBatch: 1, rng: &rng)
        XCTAssertEqual(valid.outputShape, [26, 26, 8])
        XCTAssertEqual(valid.weights.map(\.shape), [[3, 3, 1, 8], [8]])
        let same = Conv2D(4, kernelSize: 3, strides: 2, padding: .same)
        try same.build(inputShape: [7, 8, 3], maxBatch: 1, rng: &rng)
        XCTAssertEqual(same.outputShape, [4, 4, 4])
        XCTAssertThrowsError(try Conv2D(1, kernelSize: 5).build(inputShape: [3, 3, 1], maxBatch: 1, rng: &rng))
        XCTAssertThrowsError(try Conv2D(1, kernelSize: 3).build(inputShape: [9, 9], maxBatch: 1, rng: &rng))
    }

    /// The method each convolution of the example models gets, and the rules behind it.
    func testMethodChoice() throws {
        var rng = SplitMix64(seed: 0)
        func method(_ layer: Conv2D, _ shape: [Int]) throws -> Conv2D.Method {
            try layer.build(inputShape: shape, maxBatch: 2, rng: &rng)
            return layer.method
        }
        XCTAssertEqual(try method(Conv2D(32, kernelSize: 3), [28, 28, 1]), .direct)
        XCTAssertEqual(try method(Conv2D(64, kernelSize: 3), [13, 13, 32]), .winograd)
        XCTAssertEqual(try method(Conv2D(8, kernelSize: 3, strides: 2), [13, 13, 32]), .im2col)
        XCTAssertEqual(try method(Conv2D(8, kernelSize: 5), [13, 13, 2]), .im2col) // 50 values a window
        XCTAssertEqual(try method(Conv2D(8, kernelSize: 1), [13, 13, 2]), .im2col) // the input is the product's
        let forced = Conv2D(8, kernelSize: 3, strides: 2)
        forced.preferredMethod = .winograd
        XCTAssertEqual(try method(forced, [13, 13, 32]), .im2col) // Winograd's needs stride 1
        let wide = Conv2D(8, kernelSize: 5)
        wide.preferredMethod = .direct
        XCTAssertEqual(try method(wide, [13, 13, 2]), .im2col) // the direct method holds 32 values a window
    }

    func testAveragePoolingGradientsAndSamePadding() throws {
        try checkLayerGradients(AveragePooling2D(), inputShape: [4, 4, 2], batch: 2)
        try checkLayerGradients(AveragePooling2D(poolSize: 2, strides: 1, padding: .same), inputShape: [3, 3, 2], batch: 1, seed: 6)
        var rng = SplitMix64(seed: 0)
        let pool = AveragePooling2D(poolSize: 2, padding: .same)
        try pool.build(inputShape: [3, 3, 1], maxBatch: 1, rng: &rng)
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        x.withUnsafeBufferPointer { pool.forward($0.baseAddress!, batch: 1, training: false) }
        // Padded cells are not counted.
        XCTAssertEqual(Array(UnsafeBufferPointer(start: pool.output, count: 4)), [3, 4.5, 7.5, 9])
    }

    func testBatchNormalizationGradients() throws {
        try checkLayerGradients(BatchNormalization(), inputShape: [3], batch: 5, tolerance: 5e-3)
        try checkLayerGradients(BatchNormalization(), inputShape: [2, 2, 3], batch: 2, seed: 3, tolerance: 5e-3)
    }

    func testBatchNormalizationStatistics() throws {
        var rng = SplitMix64(seed: 0)
        let bn = BatchNormalization()
        try bn.build(inputShape: [2], maxBatch: 4, rng: &rng)
        XCTAssertEqual(bn.weights.map(\.name), ["batch_normalization/gamma", "batch_normalization/beta",
                                                "batch_normalization/moving_mean", "batch_normalization/moving_variance"])
        // Feature 0: 1, 2, 3, 4 (mean 2.5, variance 1.25); feature 1: constant 5.
        let x: [Float] = [1, 5, 2, 5, 3, 5, 4, 5]
        x.withUnsafeBufferPointer { bn.forward($0.baseAddress!, batch: 4, training: true) }
        XCTAssertEqual(bn.output[0], Float((1 - 2.5) / (1.25 + 1e-3).squareRoot()), accuracy: 1e-5)
        XCTAssertEqual(bn.output[1], 0, accuracy: 1e-6)
        XCTAssertEqual(bn.movingMean.values[0], 0.025, accuracy: 1e-6)
        XCTAssertEqual(bn.movingMean.values[1], 0.05, accuracy: 1e-6)
        XCTAssertEqual(bn.movingVariance.values[0], 0.99 + 0.0125, accuracy: 1e-6)
        XCTAssertEqual(bn.movingVariance.values[1], 0.99, accuracy: 1e-6)
        // Inference uses the moving statistics.
        x.withUnsafeBufferPointer { bn.forward($0.baseAddress!, batch: 4, training: false) }
        XCTAssertEqual(bn.output[0], Float((1 - 0.025) / (1.0025 + 1e-3).squareRoot()), accuracy: 1e-5)
    }

    func testSmallCNNLearnsAndSummarizes() throws {
        // 6x6 images: class 0 has a bright vertical bar, class 1 a horizontal one.
        var rng = SplitMix64(seed: 5)
        var x: [Float] = [], y: [Float] = []
        for i in 0..<120 {
            let c = i % 2, p = 1 + rng.nextIndex(below: 4)
            for r in 0..<6 {
                for col in 0..<6 {
                    let on = c == 0 ? col == p : r == p
                    x.append((on ? 1 : 0) + (rng.nextFloat() - 0.5) * 0.3)
                }
            }
            y.append(Float(c))
        }
        let data = ArrayDataset(features: x, featureShape: [6, 6, 1], targets: y, classCount: 2)
        let model = Sequential([
            Conv2D(4, kernelSize: 3, padding: .same, activation: .relu), BatchNormalization(),
            MaxPooling2D(), Dropout(0.1), Conv2D(4, kernelSize: 2, activation: .relu), AveragePooling2D(),
            Flatten(), Dense(2, activation: .softmax),
        ])
        try model.build(inputShape: [6, 6, 1], maxBatch: 8, seed: 1)
        model.compile(optimizer: Adam(learningRate: 0.01), loss: SparseCategoricalCrossentropy(), metrics: ["accuracy"])
        let history = try model.fit(train: data, epochs: 12, batchSize: 8, seed: 2)
        XCTAssertGreaterThan(history["accuracy"].last!, 0.9)
        XCTAssertGreaterThan(try model.evaluate(data)["accuracy"]!, 0.9)
        XCTAssertEqual(model.layers.map(\.name), ["conv2d", "batch_normalization", "max_pooling2d", "dropout",
                                                  "conv2d_1", "average_pooling2d", "flatten", "dense"])
        let summary = model.summary()
        XCTAssertTrue(summary.contains("│ batch_normalization (BatchNormalization) │ (None, 6, 6, 4)        │            16 │"), summary)
        XCTAssertTrue(summary.contains(" Total params: 134 (536.00 B)"), summary)
        XCTAssertTrue(summary.contains(" Non-trainable params: 8 (32.00 B)"), summary)
    }
}
