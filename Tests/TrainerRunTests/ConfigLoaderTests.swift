import XCTest
import TrainerHost
@testable import TrainerRun

final class ConfigLoaderTests: XCTestCase {
    func testAnEmptyFileIsTheDefaultRun() throws {
        let config = try ConfigLoader.parse("", source: "t.toml")
        XCTAssertEqual(config.epochs, 5)
        XCTAssertEqual(config.batchSize, 32)
        XCTAssertEqual(config.model.layers.map(\.type), ["Flatten", "Dense", "Dense"])
        XCTAssertEqual(config.model.optimizer.name, "adam")
        XCTAssertEqual(config.plugins.map(\.id), ["ProgbarLogger", "History"])
        XCTAssertEqual(config.data.trainFeatures, "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
    }

    func testAFullConfiguration() throws {
        let config = try ConfigLoader.parse("""
            epochs = 3
            batch_size = 64
            seed = 7

            [model]
            loss = "sparse_categorical_crossentropy"
            metrics = ["accuracy"]

            [model.optimizer]
            name = "sgd"
            learning_rate = 0.1
            momentum = 0.9

            [[model.layers]]
            type = "Flatten"

            [[model.layers]]
            type = "Dense"
            units = 10
            activation = "softmax"

            [data]
            limit = 500
            validation_split = 0.2

            [plugins]
            enabled = ["History", "StopAtAccuracy"]

            [plugins.StopAtAccuracy]
            threshold = 0.8
            monitor = "val_accuracy"
            """, source: "t.toml")
        XCTAssertEqual(config.epochs, 3)
        XCTAssertEqual(config.batchSize, 64)
        XCTAssertEqual(config.seed, 7)
        XCTAssertEqual(config.model.optimizer.name, "sgd")
        XCTAssertEqual(config.model.optimizer.learningRate, 0.1)
        XCTAssertEqual(config.model.optimizer.options["momentum"], .double(0.9))
        XCTAssertEqual(config.model.layers.map(\.type), ["Flatten", "Dense"])
        XCTAssertEqual(config.model.layers[1].options["units"], .int(10))
        XCTAssertEqual(config.data.limit, 500)
        XCTAssertEqual(config.data.validationSplit, 0.2)
        XCTAssertNil(config.data.validationFeatures, "a split replaces the default validation files")
        XCTAssertEqual(config.plugins.map(\.id), ["History", "StopAtAccuracy"])
        XCTAssertEqual(config.plugins[1].value("threshold"), .double(0.8))
        XCTAssertEqual(config.plugins[1].value("monitor"), .string("val_accuracy"))
    }

    func testErrorsNameTheFileAndTheKey() {
        func message(_ text: String) -> String {
            do {
                _ = try ConfigLoader.parse(text, source: "run.toml")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message("epochs = \"five\""), "run.toml: epochs: must be an integer, not a string (\"five\")")
        XCTAssertEqual(message("epochs = 0"), "run.toml: epochs: must be at least 1, not 0")
        XCTAssertTrue(message("epoch = 3").hasPrefix("run.toml: epoch: unknown key"))
        XCTAssertTrue(message("[model]\nlayers = []").hasPrefix("run.toml: model.layers: must name at least one layer"))
        XCTAssertTrue(message("[[model.layers]]\nunits = 3").hasPrefix("run.toml: model.layers[0]: needs a type"))
        XCTAssertTrue(message("epochs = [").hasPrefix("run.toml: line 1"))
        XCTAssertEqual(message("[plugins]\nenabled = [\"History\", \"history\"]"), "run.toml: plugins.enabled: lists history twice")
    }

    func testLayerOptionsAreCheckedWhenTheModelIsBuilt() throws {
        let spec = LayerSpec(type: "Dense", options: ["units": .int(8), "activaton": .string("relu")], key: "model.layers[1]")
        XCTAssertThrowsError(try ModelFactory.layer(spec, source: "run.toml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("run.toml: model.layers[1].activaton: unknown key"), "\(error)")
        }
        let unknown = LayerSpec(type: "Dens", key: "model.layers[0]")
        XCTAssertThrowsError(try ModelFactory.layer(unknown, source: "run.toml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("run.toml: model.layers[0].type: unknown layer \"Dens\""), "\(error)")
        }
    }
}
