import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PluginTestSupport
import XCTest

/// LearningCurves driven through the C ABI: the SVG it writes, parsed as XML.
final class LearningCurvesTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try TemporaryDirectory.create() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func make(_ settings: [String: ParameterValue] = [:]) throws -> PluginInstance {
        try LoadedPlugin(product: "LearningCurves").createInstance(host: FakeHost(runDirectory: dir), settings).get()
    }

    private func epochs(_ plugin: PluginInstance, _ rows: [[(String, Double)]], from first: Int = 0) {
        for (i, logs) in rows.enumerated() {
            XCTAssertEqual(plugin.epochBegin(first + i), statusOK)
            XCTAssertEqual(plugin.epochEnd(first + i, logs), statusOK)
        }
    }

    private func logs(_ epoch: Int, valLoss: Double? = nil) -> [(String, Double)] {
        let e = Double(epoch)
        return [("loss", 1 / (e + 1)), ("accuracy", 0.5 + 0.04 * e), ("val_loss", valLoss ?? 1.2 / (e + 1)),
                ("val_accuracy", 0.45 + 0.03 * e), ("learning_rate", 0.001)]
    }

    /// The parsed SVG: the root's name and every polyline's attributes, in document order.
    private struct SVG {
        var root = ""
        var polylines: [[String: String]] = []
        var texts: [String] = []

        /// The curves' polylines (not the axes), with their points.
        var curves: [(kind: String, quantity: String, points: [(Double, Double)])] {
            polylines.filter { $0["class"] != "axes" }.map { attributes in
                let points = (attributes["points"] ?? "").split(separator: " ").map { pair -> (Double, Double) in
                    let xy = pair.split(separator: ",").map { Double($0) ?? .nan }
                    return (xy.first ?? .nan, xy.count > 1 ? xy[1] : .nan)
                }
                return (attributes["class"] ?? "", attributes["data-quantity"] ?? "", points)
            }
        }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var svg = SVG()
        private var inText = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if svg.root.isEmpty { svg.root = name }
            if name == "polyline" { svg.polylines.append(attributes) }
            if name == "text" { inText = true; svg.texts.append("") }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { svg.texts[svg.texts.count - 1] += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { inText = false }
        }
    }

    /// Parses the file, failing the test when it is not well-formed XML.
    private func parse(_ name: String = "curves.svg") throws -> SVG {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        let parser = XMLParser(data: data)
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "well-formed XML: \(String(describing: parser.parserError))")
        return collector.svg
    }

    func testSchema() throws {
        let plugin = try LoadedPlugin(product: "LearningCurves")
        XCTAssertEqual(plugin.id, "LearningCurves")
        XCTAssertEqual(plugin.specs.map(SpecSummary.init), [
            SpecSummary("filename", stringType, "\"curves.svg\""),
            SpecSummary("width", intType, "960"),
        ])
    }

    func testOnePanelPerQuantityAndOnePolylinePerCurveWithAPointPerEpoch() throws {
        let plugin = try make()
        defer { plugin.destroy() }
        XCTAssertEqual(plugin.trainBegin(), statusOK)
        for count in 1...4 {
            epochs(plugin, [logs(count - 1)], from: count - 1)
            let svg = try parse()
            XCTAssertEqual(svg.root, "svg")
            let curves = svg.curves
            XCTAssertEqual(curves.map(\.kind), ["training", "validation", "training", "validation"], "after \(count) epochs")
            XCTAssertEqual(curves.map(\.quantity), ["loss", "loss", "accuracy", "accuracy"], "loss first, no learning_rate")
            XCTAssertEqual(curves.map(\.points.count), [count, count, count, count])
            XCTAssertTrue(curves.allSatisfy { $0.points.allSatisfy { $0.0.isFinite && $0.1.isFinite } })
        }
        // Loss falls: later points are drawn lower (larger y); epochs go right.
        let loss = try parse().curves[0].points
        XCTAssertEqual(loss.map(\.0), loss.map(\.0).sorted())
        XCTAssertEqual(loss.map(\.1), loss.map(\.1).sorted())
        let texts = try parse().texts
        for label in ["loss", "accuracy", "epoch", "training", "validation"] {
            XCTAssertTrue(texts.contains(label), "\(label) in \(texts)")
        }
        XCTAssertEqual(plugin.trainEnd(), statusOK)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["curves.svg"], "no temporary file left")
    }

    func testNonFiniteValuesLeaveGaps() throws {
        let plugin = try make()
        defer { plugin.destroy() }
        epochs(plugin, [logs(0), logs(1, valLoss: .nan), logs(2, valLoss: .infinity), logs(3), logs(4)])
        let validationLoss = try parse().curves.filter { $0.kind == "validation" && $0.quantity == "loss" }
        XCTAssertEqual(validationLoss.map(\.points.count), [1, 2], "a run of one point, a gap of two epochs, a run of two")
        let trainingLoss = try parse().curves.filter { $0.kind == "training" && $0.quantity == "loss" }
        XCTAssertEqual(trainingLoss.map(\.points.count), [5])
    }

    func testManyEpochsAndAValidationOnlyQuantityAndEscapedNames() throws {
        let plugin = try make(["filename": .string("pics/many.svg"), "width": .int(600)])
        defer { plugin.destroy() }
        try FileManager.default.createDirectory(atPath: dir + "/pics", withIntermediateDirectories: true)
        epochs(plugin, (0..<500).map { logs($0) + [("val_a<b>&\"c\"", Double($0))] })
        let svg = try parse("pics/many.svg")
        XCTAssertEqual(svg.curves.map(\.quantity), ["loss", "loss", "accuracy", "accuracy", "a<b>&\"c\""])
        XCTAssertEqual(svg.curves.map(\.kind).last, "validation")
        XCTAssertEqual(svg.curves.map(\.points.count), [500, 500, 500, 500, 500])
        XCTAssertTrue(svg.texts.contains("500"), "the last epoch is an x tick: \(svg.texts)")
    }

    func testSavedStateContinuesTheCurves() throws {
        let first = try make()
        defer { first.destroy() }
        epochs(first, [logs(0), logs(1)])
        let state = try XCTUnwrap(first.saveState())
        let resumed = try make()
        defer { resumed.destroy() }
        XCTAssertEqual(resumed.loadState(state), statusOK)
        epochs(resumed, [logs(2)], from: 2)
        XCTAssertEqual(try parse().curves.map(\.points.count), [3, 3, 3, 3])
        XCTAssertEqual(resumed.loadState(Array(state.dropLast())), statusError, "a truncated state is refused")
    }

    func testBadParametersAreRefusedNamingThem() throws {
        let plugin = try LoadedPlugin(product: "LearningCurves")
        XCTAssertThrowsError(try plugin.createInstance(host: FakeHost(runDirectory: dir), ["filename": .string("")]).get()) {
            XCTAssertTrue("\($0)".contains("filename"), "\($0)")
        }
        XCTAssertThrowsError(try plugin.createInstance(host: FakeHost(runDirectory: dir), ["width": .int(10)]).get()) {
            XCTAssertTrue("\($0)".contains("width"), "\($0)")
        }
    }
}
