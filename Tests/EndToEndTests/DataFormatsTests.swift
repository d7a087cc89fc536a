import Foundation
import XCTest

/// Training from CSV and NumPy files, with the losses that go with them.
final class DataFormatsTests: EndToEndTestCase {
    /// Two well-separated blobs: label 1 when x + y > 0.
    func samples(_ count: Int, seed: UInt64) -> [(x: Float, y: Float, label: Int)] {
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        return (0..<count).map { _ in
            let x = next(), y = next()
            return (x, y, x + y > 0 ? 1 : 0)
        }
    }

    func validationAccuracy(_ run: String) throws -> Double {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(run)/history.json"))
        let history = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let values = try XCTUnwrap(history["history"] as? [String: [Double]])
        return try XCTUnwrap(values["val_accuracy"]?.last)
    }

    func testCSVWithAHeaderAndBinaryCrossentropy() throws {
        let rows = samples(600, seed: 1).map { "\($0.x),\($0.y),\($0.label)" }
        _ = try write((["x,y,label"] + rows).joined(separator: "\n") + "\n", to: "blobs.csv")
        _ = try write("""
            epochs = 20
            batch_size = 16
            [model]
            loss = "binary_crossentropy"
            [model.optimizer]
            name = "sgd"
            learning_rate = 0.5
            [[model.layers]]
            type = "Dense"
            units = 1
            activation = "sigmoid"
            [data]
            format = "csv"
            train_features = "blobs.csv"
            label_column = "label"
            validation_split = 0.25
            [plugins]
            enabled = ["History"]
            """, to: "csv.toml")
        let result = try trainer("train", "csv.toml", "--run-dir", "csv-run", "--verbose", "0")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertGreaterThan(try validationAccuracy("csv-run"), 0.95)
    }

    func npy(_ values: [Float], shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    func testNumPyFilesWithSparseCategoricalCrossentropy() throws {
        let train = samples(600, seed: 2), validation = samples(200, seed: 3)
        try npy(train.flatMap { [$0.x, $0.y] }, shape: [600, 2]).write(to: directory.appendingPathComponent("x.npy"))
        try npy(train.map { Float($0.label) }, shape: [600]).write(to: directory.appendingPathComponent("y.npy"))
        try npy(validation.flatMap { [$0.x, $0.y] }, shape: [200, 2]).write(to: directory.appendingPathComponent("vx.npy"))
        try npy(validation.map { Float($0.label) }, shape: [200]).write(to: directory.appendingPathComponent("vy.npy"))
        _ = try write("""
            epochs = 10
            [[model.layers]]
            type = "Dense"
            units = 8
            activation = "tanh"
            [[model.layers]]
            type = "Dense"
            units = 2
            activation = "softmax"
            [data]
            format = "npy"
            classes = 2
            train_features = "x.npy"
            train_labels = "y.npy"
            validation_features = "vx.npy"
            validation_labels = "vy.npy"
            [plugins]
            enabled = ["History"]
            """, to: "npy.toml")
        let result = try trainer("train", "npy.toml", "--run-dir", "npy-run", "--verbose", "0")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertGreaterThan(try validationAccuracy("npy-run"), 0.9)
    }

    func testShapesThatDoNotFitTheModelAreRefusedBeforeTraining() throws {
        try npy([0, 1, 2, 3], shape: [2, 2]).write(to: directory.appendingPathComponent("x.npy"))
        try npy([0, 7], shape: [2]).write(to: directory.appendingPathComponent("y.npy"))
        _ = try write("""
            [data]
            format = "npy"
            classes = 2
            train_features = "x.npy"
            train_labels = "y.npy"
            """, to: "bad.toml")
        let result = try trainer("train", "bad.toml", "--run-dir", "bad")
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("y.npy"), "the label file is named: \(result.stderr)")
    }
}
