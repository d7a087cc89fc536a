import CTrainerPlugin
import Foundation
import PluginTestSupport
import TensorBoardProto
import XCTest

/// The TensorBoard plugin, driven through the C ABI as the host drives it; its files read back
/// with an independent TFRecord reader and the generated protobuf types.
final class TensorBoardTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    static let kernel = FakeWeight(name: "dense/kernel", shape: [2, 3], values: [-0.5, -0.25, 0, 0.125, 0.5, 3])
    static let bias = FakeWeight(name: "dense/bias", shape: [3], values: [0, 0, 0.01])

    static func epochLogs(_ e: Int, validation: Bool = true) -> [(String, Double)] {
        let d = Double(e)
        var logs = [("loss", 0.5 - 0.1 * d), ("accuracy", 0.75 + 0.05 * d)]
        if validation { logs += [("val_loss", 0.625 - 0.125 * d), ("val_accuracy", 0.625 + 0.0625 * d)] }
        return logs + [("learning_rate", 0.001)]
    }

    static func batchLogs(_ b: Int) -> [(String, Double)] {
        [("loss", 1.0 / Double(b + 1)), ("accuracy", 0.5 + 0.01 * Double(b))]
    }

    /// Runs `epochs` epochs of `steps` batches through the hooks, as `trainer train` calls them.
    private func train(_ plugin: LoadedPlugin, _ instance: UnsafeMutableRawPointer?, host: FakeHost,
                       epochs: Range<Int>, steps: Int, validation: Bool = true,
                       afterEpoch: (Int) throws -> Void = { _ in }) throws {
        XCTAssertEqual(plugin.call(\.on_train_begin, instance), statusOK)
        for e in epochs {
            XCTAssertEqual(plugin.call(\.on_epoch_begin, instance, e), statusOK)
            for b in 0..<steps {
                XCTAssertEqual(plugin.call(\.on_train_batch_begin, instance, b), statusOK)
                XCTAssertEqual(plugin.call(\.on_train_batch_end, instance, b, Self.batchLogs(b)), statusOK)
            }
            if validation {
                XCTAssertEqual(plugin.call(\.on_test_begin, instance), statusOK)
                XCTAssertEqual(plugin.call(\.on_test_end, instance,
                                           [("loss", 0.625 - 0.125 * Double(e)), ("accuracy", 0.625)]), statusOK)
            }
            XCTAssertEqual(plugin.call(\.on_epoch_end, instance, e, Self.epochLogs(e, validation: validation)), statusOK)
            try afterEpoch(e)
        }
        XCTAssertEqual(plugin.call(\.on_train_end, instance, Self.epochLogs(epochs.last ?? 0)), statusOK)
    }

    // MARK: - Descriptor

    func testDescriptorHasKerasParametersAndHooks() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        XCTAssertEqual(String(cString: plugin.descriptor.pointee.id), "TensorBoard")
        let specs = plugin.specs
        XCTAssertEqual(specs.map { String(cString: $0.name) },
                       ["log_dir", "histogram_freq", "write_graph", "write_images", "write_steps_per_second",
                        "update_freq", "profile_batch", "embeddings_freq", "embeddings_metadata"])
        let byName = Dictionary(uniqueKeysWithValues: specs.map { (String(cString: $0.name), $0) })
        XCTAssertEqual(String(cString: byName["log_dir"]!.default_value.string_value), "logs")
        XCTAssertEqual(String(cString: byName["update_freq"]!.default_value.string_value), "epoch")
        XCTAssertEqual(byName["update_freq"]!.type, trainer_value_type_t(TRAINER_VALUE_STRING))
        XCTAssertEqual(byName["histogram_freq"]!.default_value.int_value, 0)
        XCTAssertEqual(byName["write_graph"]!.default_value.int_value, 1)
        XCTAssertEqual(byName["write_images"]!.default_value.int_value, 0)
        XCTAssertEqual(byName["embeddings_metadata"]!.default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
        let hooks = plugin.hooks
        XCTAssertNotNil(hooks.on_train_begin)
        XCTAssertNotNil(hooks.on_epoch_end)
        XCTAssertNotNil(hooks.on_train_batch_end)
        XCTAssertNotNil(hooks.on_test_end)
        XCTAssertNil(hooks.on_test_batch_end)
        XCTAssertNil(hooks.on_predict_batch_end)
        XCTAssertNotNil(plugin.descriptor.pointee.save_state)
    }

    // MARK: - Layout and epoch scalars

    func testKerasLayoutFileVersionAndEpochScalars() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel, Self.bias])
        host.learningRate = 0.0005
        let started = Date().timeIntervalSince1970.rounded(.down)
        let instance = try plugin.create(host: host).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<3, steps: 4)
        let trained = Date().timeIntervalSince1970

        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs").sorted(),
                       ["train", "validation"])
        for run in ["train", "validation"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/logs/" + run)
            XCTAssertEqual(files.count, 1, "\(files)")
            let name = try XCTUnwrap(files.first)
            // events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>.v2, as TensorFlow names them
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(Array(parts.prefix(3)), ["events", "out", "tfevents"], name)
            XCTAssertEqual(parts[3].count, 10, name)
            let seconds = try XCTUnwrap(Double(parts[3]))
            XCTAssertTrue((started...trained).contains(seconds), "\(name): not written between \(started) and \(trained)")
            XCTAssertEqual(parts.last, "v2", name)
            XCTAssertNotNil(Int(parts[parts.count - 2]), name)
            XCTAssertEqual(parts[parts.count - 3], String(getpid()), name)
            XCTAssertEqual(parts[4..<(parts.count - 3)].joined(separator: "."), ProcessInfo.processInfo.hostName, name)

            let events = try readEvents(dir + "/logs/" + run + "/" + name)
            guard case .fileVersion(let version)? = events.first?.what else {
                return XCTFail("first event of \(run) is not file_version: \(String(describing: events.first))")
            }
            XCTAssertEqual(version, "brain.Event:2")
            XCTAssertGreaterThan(events.first!.wallTime, 1.6e9)
            XCTAssertEqual(events.filter { if case .fileVersion = $0.what { return true } else { return false } }.count, 1)
        }

        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(Set(train.scalars.keys), ["epoch_loss", "epoch_accuracy", "epoch_learning_rate"])
        for tag in train.scalars.keys { XCTAssertEqual(train.steps(tag), [0, 1, 2], tag) }
        XCTAssertEqual(train.values("epoch_loss"), [0.5, 0.4, 0.3].map { Float($0) })
        XCTAssertEqual(train.values("epoch_accuracy"), [0.75, 0.8, 0.85].map { Float($0) })
        // Read from the optimizer, as Keras does, not from the logs.
        XCTAssertEqual(train.values("epoch_learning_rate"), [0.0005, 0.0005, 0.0005].map { Float($0) })
        XCTAssertTrue(train.histograms.isEmpty, "histogram_freq is 0")

        let validation = try RunContents(directory: dir + "/logs/validation")
        XCTAssertEqual(Set(validation.scalars.keys),
                       ["epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
                        "evaluation_accuracy_vs_iterations"])
        XCTAssertEqual(validation.steps("epoch_loss"), [0, 1, 2])
        XCTAssertEqual(validation.values("epoch_loss"), [0.625, 0.5, 0.375])
        XCTAssertEqual(validation.values("epoch_accuracy"), [0.625, 0.6875, 0.75])
        // After each validation, step = training batches so far (Keras: optimizer.iterations).
        XCTAssertEqual(validation.steps("evaluation_loss_vs_iterations"), [4, 8, 12])
        XCTAssertEqual(validation.values("evaluation_loss_vs_iterations"), [0.625, 0.5, 0.375])
        XCTAssertTrue(validation.histograms.isEmpty && validation.texts.isEmpty)
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
    }

    func testWriteGraphWritesAWeightTableAsText() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel, Self.bias])
        let instance = try plugin.create(host: host).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<1, steps: 1)

        let train = try RunContents(directory: dir + "/logs/train")
        let texts = try XCTUnwrap(train.texts["model_summary"])
        XCTAssertEqual(texts.map(\.step), [0])
        let text = texts[0].text
        XCTAssertTrue(text.contains("| dense/kernel | 2 × 3 | 6 |"), text)
        XCTAssertTrue(text.contains("| dense/bias | 3 | 3 |"), text)
        XCTAssertTrue(text.contains("Total parameters: 9"), text)
        XCTAssertEqual(texts[0].metadata.pluginData.pluginName, "text")
        XCTAssertEqual(texts[0].metadata.dataClass, .tensor)

        // write_graph=false: no text, and no train/ file before anything else is written.
        let other = dir + "/other"
        let quiet = FakeHost(runDirectory: other, weights: [Self.kernel])
        let second = try plugin.create(host: quiet, ["write_graph": .bool(false)]).get()
        defer { plugin.destroy(second) }
        XCTAssertEqual(plugin.call(\.on_train_begin, second), statusOK)
        XCTAssertFalse(FileManager.default.fileExists(atPath: other + "/logs"))
    }

    func testWeightTableIsBestEffortButHistogramsAreNot() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel])
        host.failWeightViews = true
        let instance = try plugin.create(host: host, ["histogram_freq": .int(1)]).get()
        defer { plugin.destroy(instance) }
        // Keras warns and goes on when it cannot write its model summary...
        XCTAssertEqual(plugin.call(\.on_train_begin, instance), statusOK)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_WARNING).count, 1, "\(host.messages)")
        XCTAssertTrue(host.messages(at: TRAINER_LOG_WARNING).first?.contains("write_graph") ?? false)
        // ...but histograms the run asked for are not silently dropped.
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, Self.epochLogs(0)), statusError)
        XCTAssertFalse(host.messages(at: TRAINER_LOG_ERROR).isEmpty)
    }

    func testNoValidationDirectoryWithoutValidationData() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["write_graph": .bool(false)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<2, steps: 2, validation: false)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs"), ["train"])
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(Set(train.scalars.keys), ["epoch_loss", "epoch_accuracy", "epoch_learning_rate"])
    }

    func testFlushedAfterEveryEpoch() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel])
        let instance = try plugin.create(host: host, ["histogram_freq": .int(1)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<3, steps: 2) { e in
            // Read while training goes on: every finished epoch is on disk.
            let train = try RunContents(directory: self.dir + "/logs/train")
            XCTAssertEqual(train.steps("epoch_loss"), (0...e).map(Int64.init))
            XCTAssertEqual(train.histograms["dense/kernel"]?.map(\.step), (0...e).map(Int64.init))
            let validation = try RunContents(directory: self.dir + "/logs/validation")
            XCTAssertEqual(validation.steps("epoch_loss"), (0...e).map(Int64.init))
        }
    }

    func testAbsoluteAndRelativeLogDir() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let absolute = dir + "/elsewhere/tb"
        let host = FakeHost(runDirectory: dir + "/run")
        let first = try plugin.create(host: host, ["log_dir": .string(absolute), "write_graph": .bool(false)]).get()
        try train(plugin, first, host: host, epochs: 0..<1, steps: 1, validation: false)
        plugin.destroy(first)
        XCTAssertEqual(try eventFiles(in: absolute + "/train").count, 1)

        let second = try plugin.create(host: host, ["log_dir": .string("nested/tb"), "write_graph": .bool(false)]).get()
        try train(plugin, second, host: host, epochs: 0..<1, steps: 1, validation: false)
        plugin.destroy(second)
        XCTAssertEqual(try eventFiles(in: dir + "/run/nested/tb/train").count, 1)
    }

    // MARK: - Batch summaries

    func testUpdateFreqBatchWritesEveryBatchWithGlobalSteps() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["update_freq": .string("batch")]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<2, steps: 4)

        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(Set(train.scalars.keys),
                       ["epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"])
        // Keras counts batches from 1 across epochs.
        XCTAssertEqual(train.steps("batch_loss"), [1, 2, 3, 4, 5, 6, 7, 8])
        let expected = (0..<2).flatMap { _ in (0..<4).map { Float(1.0 / Double($0 + 1)) } }
        XCTAssertEqual(train.values("batch_loss"), expected)
        XCTAssertEqual(train.values("batch_accuracy")[3], Float(0.53))
        // No batch summaries in validation/.
        let validation = try RunContents(directory: dir + "/logs/validation")
        XCTAssertFalse(validation.scalars.keys.contains { $0.hasPrefix("batch_") })
    }

    func testUpdateFreqIntegerWritesEveryNthBatch() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["update_freq": .string("3")]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<2, steps: 4)
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(train.steps("batch_loss"), [3, 6])
        XCTAssertEqual(train.values("batch_loss"), [Float(1.0 / 3), Float(1.0 / 2)])
    }

    func testUpdateFreqEpochWritesNoBatchSummaries() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["write_steps_per_second": .bool(true)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<2, steps: 4)
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertFalse(train.scalars.keys.contains { $0.hasPrefix("batch_") }, "\(train.scalars.keys)")
        XCTAssertEqual(train.steps("epoch_steps_per_second"), [0, 1])
        XCTAssertTrue(train.values("epoch_steps_per_second").allSatisfy { $0 > 0 && $0.isFinite })
    }

    func testStepsPerSecondWithBatchUpdates() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["update_freq": .string("2"),
                                                      "write_steps_per_second": .bool(true)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<1, steps: 4)
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(train.steps("batch_steps_per_second"), [2, 4])
        XCTAssertTrue(train.values("batch_steps_per_second").allSatisfy { $0 >= 0 && $0.isFinite })
    }

    // MARK: - Histograms

    func testHistogramsEveryNEpochsWithTensorFlowBuckets() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel, Self.bias])
        let instance = try plugin.create(host: host, ["histogram_freq": .int(2)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<5, steps: 1) { e in
            // "Training" changes the weights: each histogram shows the weights of its epoch.
            host.weights[1].values[2] = Float(e + 1)
        }

        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(Set(train.histograms.keys), ["dense/kernel", "dense/bias"])
        XCTAssertEqual(train.histograms["dense/kernel"]?.map(\.step), [0, 2, 4])
        XCTAssertEqual(train.histograms["dense/bias"]?.map(\.step), [0, 2, 4])

        let kernel = try XCTUnwrap(train.histograms["dense/kernel"]?.first?.histogram)
        let values = Self.kernel.values.map(Double.init)
        XCTAssertEqual(kernel.min, -0.5)
        XCTAssertEqual(kernel.max, 3)
        XCTAssertEqual(kernel.num, 6)
        XCTAssertEqual(kernel.sum, values.reduce(0, +))
        XCTAssertEqual(kernel.sumSquares, values.map { $0 * $0 }.reduce(0, +))
        try checkBuckets(kernel, values: values)

        let biases = try XCTUnwrap(train.histograms["dense/bias"]).map(\.histogram)
        // Written at the end of epochs 0, 2 and 4: the weights set after epochs -, 1 and 3.
        XCTAssertEqual(biases.map(\.max), [Double(Float(0.01)), 2, 4])
        for (histogram, last) in zip(biases, [Float(0.01), 2, 4]) {
            try checkBuckets(histogram, values: [0, 0, Double(last)])
        }
        // The two zeros fall into TensorFlow's bucket [0, 1e-12).
        let zeroBucket = try XCTUnwrap(biases[0].bucketLimit.firstIndex(of: 1e-12))
        XCTAssertEqual(biases[0].bucket[zeroBucket], 2)
    }

    /// Checks a histogram against TensorFlow's rules: limits increasing and drawn from the
    /// default exponential series, every value counted in the bucket [previous limit, limit),
    /// empty runs collapsed into single zero-count buckets.
    private func checkBuckets(_ histogram: Tensorflow_HistogramProto, values: [Double],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(histogram.bucketLimit.count, histogram.bucket.count, file: file, line: line)
        XCTAssertEqual(histogram.bucket.reduce(0, +), Double(values.count), file: file, line: line)
        XCTAssertEqual(histogram.bucketLimit, histogram.bucketLimit.sorted(), file: file, line: line)
        XCTAssertEqual(histogram.bucketLimit.last, Double.greatestFiniteMagnitude, file: file, line: line)
        var series: [Double] = []
        var v = 1.0e-12
        while v < 1.0e20 { series.append(v); v *= 1.1 }
        let allowed = Set(series + series.map { -$0 } + [0, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude])
        for limit in histogram.bucketLimit {
            XCTAssertTrue(allowed.contains(limit), "\(limit) is not a TensorFlow bucket limit", file: file, line: line)
        }
        var lower = -Double.infinity
        for (limit, count) in zip(histogram.bucketLimit, histogram.bucket) {
            let inside = values.filter { $0 >= lower && $0 < limit }.count
            XCTAssertEqual(count, Double(inside), "bucket [\(lower), \(limit))", file: file, line: line)
            lower = limit
        }
        // No two empty buckets in a row (runs are collapsed).
        for (a, b) in zip(histogram.bucket, histogram.bucket.dropFirst()) {
            XCTAssertFalse(a == 0 && b == 0, "uncollapsed empty run", file: file, line: line)
        }
        // Each non-empty bucket is exactly one series step wide: its left limit is the
        // series value just below its limit.
        let sortedSeries = Array(allowed).sorted()
        for (i, count) in histogram.bucket.enumerated() where count > 0 && i > 0 {
            let index = try XCTUnwrap(sortedSeries.firstIndex(of: histogram.bucketLimit[i]), file: file, line: line)
            XCTAssertEqual(histogram.bucketLimit[i - 1], sortedSeries[index - 1], file: file, line: line)
        }
    }

    // MARK: - Evaluation alone, saved state

    func testEvaluateAloneWritesEvaluationScalarsAtIterationZero() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host).get()
        XCTAssertEqual(plugin.call(\.on_test_begin, instance), statusOK)
        XCTAssertEqual(plugin.call(\.on_test_end, instance, [("loss", 0.25), ("accuracy", 0.875)]), statusOK)
        plugin.destroy(instance)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs"), ["validation"])
        let validation = try RunContents(directory: dir + "/logs/validation")
        XCTAssertEqual(validation.steps("evaluation_loss_vs_iterations"), [0])
        XCTAssertEqual(validation.values("evaluation_accuracy_vs_iterations"), [0.875])
    }

    func testResumedRunContinuesBatchSteps() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let first = try plugin.create(host: host, ["update_freq": .string("batch"), "write_graph": .bool(false)]).get()
        try train(plugin, first, host: host, epochs: 0..<1, steps: 4)
        let state = try XCTUnwrap(plugin.saveState(first))
        plugin.destroy(first)

        let second = try plugin.create(host: host, ["update_freq": .string("batch"), "write_graph": .bool(false)]).get()
        defer { plugin.destroy(second) }
        XCTAssertEqual(plugin.loadState(second, state), statusOK)
        try train(plugin, second, host: host, epochs: 1..<2, steps: 4)
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(train.steps("batch_loss"), [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(train.steps("epoch_loss"), [0, 1])
        XCTAssertEqual(train.fileVersions, ["brain.Event:2", "brain.Event:2"], "one file per run")

        XCTAssertEqual(plugin.loadState(second, [1, 2, 3]), statusError)
        XCTAssertEqual(plugin.loadState(second, state + [0]), statusError)
    }

    // MARK: - Parameters

    func testBadParametersFailCreationWithAClearMessage() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let cases: [([String: ParameterValue], String)] = [
            (["update_freq": .string("sometimes")], "update_freq must be \"epoch\", \"batch\" or a positive integer"),
            (["update_freq": .string("0")], "update_freq"),
            (["update_freq": .string("-5")], "update_freq"),
            (["profile_batch": .int(3)], "profile_batch is not supported"),
            (["embeddings_freq": .int(1)], "embeddings_freq is not supported"),
            (["log_dir": .string("")], "log_dir must name a directory"),
        ]
        for (overrides, message) in cases {
            switch plugin.create(host: host, overrides) {
            case .success(let instance):
                plugin.destroy(instance)
                XCTFail("created with \(overrides)")
            case .failure(let error):
                XCTAssertTrue(error.description.contains(message), "\(overrides): \(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/logs"))

        // Accepted spellings of update_freq.
        for text in ["epoch", "batch", "Batch", " 25 "] {
            let instance = try plugin.create(host: host, ["update_freq": .string(text)]).get()
            plugin.destroy(instance)
        }
    }

    func testEmbeddingsMetadataIsIgnoredAsInKeras() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["embeddings_metadata": .string("meta.tsv")]).get()
        plugin.destroy(instance)
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
    }

    // MARK: - Images

    func testWriteImagesDrawsWeightsAsKerasDoes() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let tall = FakeWeight(name: "tall/kernel", shape: [3, 2], values: [1, 0, 0.5, 0.25, 0, 0.75])
        let conv = FakeWeight(name: "conv2d/kernel", shape: [2, 2, 1, 5], values: (0..<20).map { Float($0) / 20 })
        let rgb = FakeWeight(name: "rgb/kernel", shape: [2, 1, 2, 3], values: (0..<12).map { Float($0) / 12 })
        let wide = FakeWeight(name: "conv2d_1/kernel", shape: [2, 2, 2, 8], values: [Float](repeating: 0.5, count: 64))
        let scalar = FakeWeight(name: "scale/gamma", shape: [1], values: [0.5])
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel, Self.bias, tall, conv, rgb, wide, scalar])
        let instance = try plugin.create(host: host, ["histogram_freq": .int(2), "write_images": .bool(true)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<3, steps: 1)

        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertEqual(Set(train.images.keys),
                       ["dense/kernel/image", "dense/bias/image", "tall/kernel/image", "conv2d/kernel/image", "rgb/kernel/image"])
        func images(_ tag: String) throws -> (width: String, height: String, pngs: [DecodedPNG]) {
            let written = try XCTUnwrap(train.images[tag], tag)
            XCTAssertEqual(written.map(\.step), [0, 2], tag)
            let tensor = written[0].tensor
            XCTAssertEqual(tensor.dtype, .dtString, tag)
            XCTAssertEqual(tensor.tensorShape.dim.map(\.size), [Int64(tensor.stringVal.count)], tag)
            XCTAssertEqual(written[0].metadata.dataClass, .blobSequence, tag)
            let strings = tensor.stringVal.map { [UInt8]($0) }
            return (String(decoding: strings[0], as: UTF8.self), String(decoding: strings[1], as: UTF8.self),
                    try strings.dropFirst(2).map { try DecodedPNG($0) })
        }
        // Dense kernel 2 x 3: one image 2 high, 3 wide; v * 255.5 truncated, clamped to 0...255.
        let kernel = try images("dense/kernel/image")
        XCTAssertEqual([kernel.width, kernel.height], ["3", "2"])
        XCTAssertEqual(kernel.pngs, [try DecodedPNG(PNGPixels(width: 3, height: 2, channels: 1,
                                                               pixels: [0, 0, 0, 31, 127, 255]))])
        // A bias: one pixel wide.
        let bias = try images("dense/bias/image")
        XCTAssertEqual([bias.width, bias.height], ["1", "3"])
        XCTAssertEqual(bias.pngs.map(\.pixels), [[0, 0, 2]])
        // Taller than wide: transposed.
        let transposed = try images("tall/kernel/image")
        XCTAssertEqual([transposed.width, transposed.height], ["3", "2"])
        XCTAssertEqual(transposed.pngs.map(\.pixels), [[255, 127, 0, 0, 63, 191]])
        // (2, 2, 1, 5) squeezes to (2, 2, 5): 5 images of 2 x 2, the first 3 kept.
        let filters = try images("conv2d/kernel/image")
        XCTAssertEqual([filters.width, filters.height], ["2", "2"])
        XCTAssertEqual(filters.pngs.count, 3)
        for (k, png) in filters.pngs.enumerated() {
            let expected = (0..<4).map { WeightPixel.keras(Float($0 * 5 + k) / 20) }
            XCTAssertEqual(png.pixels, expected, "filter \(k)")
        }
        // (2, 1, 2, 3) squeezes to (2, 2, 3): a rank-3 tensor, so 3 grayscale images of 2 x 2.
        let colours = try images("rgb/kernel/image")
        XCTAssertEqual(colours.pngs.map(\.channels), [1, 1, 1])
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
    }

    func testRGBImagesFromARankFourWeightWithThreeChannels() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let rgb = FakeWeight(name: "rgb/kernel", shape: [2, 3, 2, 3], values: (0..<36).map { Float($0) / 36 })
        let host = FakeHost(runDirectory: dir, weights: [rgb])
        let instance = try plugin.create(host: host, ["histogram_freq": .int(1), "write_images": .bool(true)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<1, steps: 1, validation: false)
        let train = try RunContents(directory: dir + "/logs/train")
        let tensor = try XCTUnwrap(train.images["rgb/kernel/image"]?.first?.tensor)
        let pngs = try tensor.stringVal.dropFirst(2).map { try DecodedPNG([UInt8]($0)) }
        XCTAssertEqual(pngs.count, 2)
        XCTAssertEqual(pngs.map(\.width), [2, 2])
        XCTAssertEqual(pngs.map(\.height), [3, 3])
        XCTAssertEqual(pngs.map(\.channels), [3, 3])
        XCTAssertEqual(pngs[1].pixels, (18..<36).map { WeightPixel.keras(Float($0) / 36) })
    }

    func testWriteImagesNeedsHistogramFreqAsInKeras() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let host = FakeHost(runDirectory: dir, weights: [Self.kernel])
        let instance = try plugin.create(host: host, ["write_images": .bool(true)]).get()
        defer { plugin.destroy(instance) }
        try train(plugin, instance, host: host, epochs: 0..<2, steps: 1)
        let train = try RunContents(directory: dir + "/logs/train")
        XCTAssertTrue(train.images.isEmpty && train.histograms.isEmpty)
    }

    func testAnUnwritableLogDirFailsTheHookWithTheReason() throws {
        let plugin = try LoadedPlugin(product: "TensorBoard")
        let blocker = dir + "/file"
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let host = FakeHost(runDirectory: dir)
        let instance = try plugin.create(host: host, ["log_dir": .string(blocker + "/logs")]).get()
        defer { plugin.destroy(instance) }
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, Self.epochLogs(0)), statusError)
        let errors = host.messages(at: TRAINER_LOG_ERROR)
        XCTAssertTrue(errors.contains { $0.contains(blocker) }, "\(host.messages)")
    }
}

/// `tf.image.convert_image_dtype(v, tf.uint8, saturate=True)`: v * 255.5, clamped, truncated
/// (checked against TensorFlow 2.21: 0.849 -> 216, 0.5 -> 127, 1.0 -> 255, -0.5 -> 0).
enum WeightPixel {
    static func keras(_ value: Float) -> UInt8 {
        let scaled = value * 255.5
        return scaled <= 0 ? 0 : scaled >= 255 ? 255 : UInt8(scaled.rounded(.towardZero))
    }
}

/// A PNG written by hand from raw pixels (filter 0, one stored block), to compare decoded
/// images with.
func PNGPixels(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(referenceCRC32(body)))
    }
    var raw: [UInt8] = []
    for row in 0..<height { raw += [0] + pixels[(row * width * channels)..<((row + 1) * width * channels)] }
    var a = 1, b = 0
    for byte in raw { a = (a + Int(byte)) % 65_521; b = (b + a) % 65_521 }
    let zlib: [UInt8] = [0x78, 0x01, 1, UInt8(raw.count & 0xFF), UInt8(raw.count >> 8),
                         UInt8(~raw.count & 0xFF), UInt8(~raw.count >> 8 & 0xFF)] + raw + be32(b << 16 | a)
    let colour: UInt8 = channels == 1 ? 0 : channels == 3 ? 2 : 6
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be32(width) + be32(height) + [8, colour, 0, 0, 0])
        + chunk("IDAT", zlib) + chunk("IEND", [])
}
