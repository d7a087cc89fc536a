import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// StopAtAccuracy, the C plugin: as SwiftPM builds it, and as plain cc builds it.
final class StopAtAccuracyTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func builds() throws -> [LoadedPlugin] {
        let plain = try CCompiler.buildPlugin(Repository.pluginSources("StopAtAccuracy") + "/StopAtAccuracy.c",
                                              into: dir, name: "StopAtAccuracy")
        return [try LoadedPlugin(product: "StopAtAccuracy"), try LoadedPlugin(plain)]
    }

    func testStopsExactlyWhenAccuracyReachesTheThreshold() throws {
        for plugin in try builds() {
            let host = FakeHost()
            let instance = try plugin.create(host: host).get()
            defer { plugin.destroy(instance) }
            let accuracies = [0.5, 0.85, 0.8999, 0.9, 0.95, 0.7]
            var expectedStops = 0
            for (epoch, accuracy) in accuracies.enumerated() {
                XCTAssertEqual(plugin.call(\.on_epoch_end, instance, epoch,
                                           [("loss", 1 - accuracy), ("accuracy", accuracy)]), statusOK)
                if accuracy >= 0.9 { expectedStops += 1 }
                XCTAssertEqual(host.stopRequests, expectedStops, "\(plugin.path) epoch \(epoch)")
            }
            XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO), [
                "Reached accuracy 0.9000 >= 0.9, stopping training",
                "Reached accuracy 0.9500 >= 0.9, stopping training",
            ], plugin.path)
            XCTAssertEqual(host.messages.count, 2)
        }
    }

    func testMinModeOnAnotherMonitor() throws {
        for plugin in try builds() {
            let host = FakeHost()
            let instance = try plugin.create(host: host, [
                "monitor": .string("val_loss"), "threshold": .int(1), "mode": .string("min"),
            ]).get()
            defer { plugin.destroy(instance) }
            plugin.call(\.on_epoch_end, instance, 0, [("val_loss", 1.5)])
            XCTAssertEqual(host.stopRequests, 0)
            plugin.call(\.on_epoch_end, instance, 1, [("val_loss", .nan)])
            XCTAssertEqual(host.stopRequests, 0, "NaN never reaches a threshold")
            plugin.call(\.on_epoch_end, instance, 2, [("val_loss", 0.75)])
            XCTAssertEqual(host.stopRequests, 1)
            XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO),
                           ["Reached val_loss 0.7500 <= 1, stopping training"])
        }
    }

    func testQuietWhenVerboseIsZero() throws {
        for plugin in try builds() {
            let host = FakeHost()
            let instance = try plugin.create(host: host, ["verbose": .int(0), "threshold": .double(0.5)]).get()
            defer { plugin.destroy(instance) }
            plugin.call(\.on_epoch_end, instance, 0, [("accuracy", 0.5)])
            XCTAssertEqual(host.stopRequests, 1)
            XCTAssertTrue(host.messages.isEmpty)
        }
    }

    func testWarnsOnceWhenTheMonitoredValueIsMissing() throws {
        for plugin in try builds() {
            let host = FakeHost()
            let instance = try plugin.create(host: host, ["monitor": .string("val_accuracy")]).get()
            defer { plugin.destroy(instance) }
            for epoch in 0..<3 {
                XCTAssertEqual(plugin.call(\.on_epoch_end, instance, epoch,
                                           [("loss", 0.1), ("accuracy", 0.99)]), statusOK)
            }
            XCTAssertEqual(host.stopRequests, 0)
            XCTAssertEqual(host.messages(at: TRAINER_LOG_WARNING), [
                "monitored value 'val_accuracy' is not in the epoch logs; available: loss, accuracy",
            ])
            XCTAssertEqual(host.messages.count, 1)
        }
    }

    func testRejectsANonFiniteThreshold() throws {
        for plugin in try builds() {
            switch plugin.create(host: FakeHost(), ["threshold": .double(.infinity)]) {
            case .success: XCTFail("accepted an infinite threshold")
            case .failure(let error): XCTAssertEqual(error.description, "threshold must be a finite number")
            }
        }
    }

    func testPlainCCBuildNeedsNoSwift() throws {
        let plain = try CCompiler.buildPlugin(Repository.pluginSources("StopAtAccuracy") + "/StopAtAccuracy.c",
                                              into: dir, name: "StopAtAccuracy")
        let text = try ChildProcess.run(["readelf", "-d", plain]).output
        XCTAssertTrue(text.contains("NEEDED"), text)
        XCTAssertFalse(text.contains("swift"), text)
    }
}
