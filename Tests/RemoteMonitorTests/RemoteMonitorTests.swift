import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// RemoteMonitor POSTs each epoch's logs as Keras does, to a server the test runs on 127.0.0.1,
/// and never fails a run because of the server.
final class RemoteMonitorTests: XCTestCase {
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        plugin = try LoadedPlugin(product: "RemoteMonitor")
    }

    func testSchemaHasKerasNamesAndDefaults() {
        XCTAssertEqual(String(cString: plugin.descriptor.pointee.id), "RemoteMonitor")
        let specs = plugin.specs
        XCTAssertEqual(specs.map { String(cString: $0.name) },
                       ["root", "path", "field", "headers", "send_as_json", "timeout"])
        XCTAssertEqual(String(cString: specs[0].default_value.string_value), "http://localhost:9000")
        XCTAssertEqual(String(cString: specs[1].default_value.string_value), "/publish/epoch/end/")
        XCTAssertEqual(String(cString: specs[2].default_value.string_value), "data")
        XCTAssertEqual(specs[3].default_value.type, trainer_value_type_t(TRAINER_VALUE_NONE))
        XCTAssertEqual(specs[4].default_value.int_value, 0)
        XCTAssertEqual(specs[5].default_value.double_value, 5)
        let hooks = plugin.hooks
        XCTAssertNotNil(hooks.on_epoch_end)
        XCTAssertNotNil(hooks.on_train_end)
        XCTAssertNil(hooks.on_train_batch_end, "nothing per batch")
    }

    func testPostsAFormWithTheLogsAsJSONByDefault() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let host = FakeHost()
        let instance = try plugin.requireInstance(host: host, ["root": .string(server.root)])
        defer { plugin.destroy(instance) }
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, [("loss", 0.5), ("accuracy", 0.8125), ("val_loss", 1e-05),
                                                                 ("learning_rate", 0.001)]), statusOK)
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 1, [("loss", 0.25)]), statusOK)
        let requests = server.requests
        guard requests.count == 2 else {
            return XCTFail("the server received \(requests.count) requests, not one per epoch: \(requests)")
        }
        XCTAssertEqual(requests[0].method, "POST")
        XCTAssertEqual(requests[0].path, "/publish/epoch/end/")
        XCTAssertEqual(requests[0].header("Content-Type"), "application/x-www-form-urlencoded")
        // What Python's urlencode({"data": json.dumps(logs)}) gives, byte for byte.
        XCTAssertEqual(requests[0].body, "data=%7B%22epoch%22%3A+0%2C+%22loss%22%3A+0.5%2C+%22accuracy%22%3A+0.8125"
                       + "%2C+%22val_loss%22%3A+1e-05%2C+%22learning_rate%22%3A+0.001%7D")
        XCTAssertEqual(requests[1].body, "data=%7B%22epoch%22%3A+1%2C+%22loss%22%3A+0.25%7D")
        XCTAssertEqual(requests[0].header("Content-Length"), String(requests[0].body.utf8.count))
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
        XCTAssertEqual(plugin.call(\.on_train_end, instance), statusOK)
        XCTAssertTrue(host.messages.isEmpty)
    }

    func testTheFieldNameIsFormEncodedToo() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let instance = try plugin.requireInstance(host: FakeHost(), ["root": .string(server.root), "field": .string("my field")])
        defer { plugin.destroy(instance) }
        plugin.call(\.on_epoch_end, instance, 1, [])
        XCTAssertEqual(server.requests.first?.body, "my+field=%7B%22epoch%22%3A+1%7D")
    }

    func testSendsJSONWithHeadersToAnotherPath() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let host = FakeHost()
        let instance = try plugin.requireInstance(host: host, [
            "root": .string(server.root), "path": .string("/events/epoch"), "send_as_json": .bool(true),
            "headers": .string("X-Token: abc ;X-Run:7;"), "field": .string("unused"),
        ])
        defer { plugin.destroy(instance) }
        plugin.call(\.on_epoch_end, instance, 3, [("loss", 0.25), ("val_loss", .nan), ("val_accuracy", .infinity),
                                                  ("p\u{e9}rte", -1e16), ("x", 123456789.125)])
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/events/epoch")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertEqual(request.header("X-Token"), "abc")
        XCTAssertEqual(request.header("X-Run"), "7")
        // Python's json.dumps of the same dict.
        XCTAssertEqual(request.body, #"{"epoch": 3, "loss": 0.25, "val_loss": NaN, "val_accuracy": Infinity, "#
                       + #""p\u00e9rte": -1e+16, "x": 123456789.125}"#)
        XCTAssertTrue(host.messages.isEmpty, "\(host.messages)")
    }

    func testHeadersAsAJSONObjectMayReplaceTheContentType() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let instance = try plugin.requireInstance(host: FakeHost(), [
            "root": .string(server.root), "send_as_json": .bool(true),
            "headers": .string(#"{"Content-Type": "text/plain", "X-List": "a; b"}"#),
        ])
        defer { plugin.destroy(instance) }
        plugin.call(\.on_epoch_end, instance, 0, [("loss", 1)])
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.header("Content-Type"), "text/plain")
        XCTAssertEqual(request.header("X-List"), "a; b")
        XCTAssertEqual(request.body, #"{"epoch": 0, "loss": 1.0}"#)
    }

    func testBadSettingsAreErrorsOfCreate() {
        let cases: [([String: ParameterValue], String)] = [
            (["headers": .string("X-Token abc")],
             "headers: 'X-Token abc' is not 'Name: value' (pairs are separated by ';', or give a JSON object)"),
            (["headers": .string("Bad Name: x")], "headers: 'Bad Name' is not a valid header name"),
            (["headers": .string(": x")], "headers: '' is not a valid header name"),
            (["headers": .string(#"{"X-Run": 7}"#)], "headers: the value of X-Run must be a string"),
            (["headers": .string(#"{"X-Run": "a\nb"}"#)], "headers: the value of X-Run holds a line break"),
            (["root": .string("localhost:9000")],
             "root + path is 'localhost:9000/publish/epoch/end/', which is not an http:// or https:// URL"),
            (["root": .string("ftp://127.0.0.1")],
             "root + path is 'ftp://127.0.0.1/publish/epoch/end/', which is not an http:// or https:// URL"),
        ]
        for (overrides, expected) in cases {
            switch plugin.create(host: FakeHost(), overrides) {
            case .success(let instance):
                plugin.destroy(instance)
                XCTFail("create succeeded for \(overrides)")
            case .failure(let error):
                XCTAssertEqual(error.description, expected)
            }
        }
        if case .failure(let error) = plugin.create(host: FakeHost(), ["headers": .string("{nope")]) {
            XCTAssertTrue(error.description.hasPrefix("headers: not a valid JSON object: "), error.description)
        } else {
            XCTFail("malformed JSON headers were accepted")
        }
    }

    func testAClosedPortIsAWarningNotAFailure() throws {
        let port = try closedLoopbackPort()
        let root = "http://127.0.0.1:\(port)"
        let host = FakeHost()
        let instance = try plugin.requireInstance(host: host, ["root": .string(root)])
        defer { plugin.destroy(instance) }
        for epoch in 0..<3 {
            XCTAssertEqual(plugin.call(\.on_epoch_end, instance, epoch, [("loss", 1)]), statusOK)
        }
        XCTAssertEqual(plugin.call(\.on_train_end, instance), statusOK)
        let warnings = host.messages(at: TRAINER_LOG_WARNING)
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings.first?.hasPrefix("Could not reach RemoteMonitor root server at \(root) (") ?? false,
                      "\(warnings)")
        XCTAssertEqual(warnings.last, "3 of 3 epochs could not be sent to \(root)/publish/epoch/end/")
        XCTAssertEqual(host.stopRequests, 0)
    }

    func testAnHTTPErrorIsAWarningAndRecoveryIsSaid() throws {
        let server = try TestHTTPServer(.answer([500, 200]))
        defer { server.stop() }
        let host = FakeHost()
        let instance = try plugin.requireInstance(host: host, ["root": .string(server.root)])
        defer { plugin.destroy(instance) }
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, [("loss", 1)]), statusOK)
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 1, [("loss", 1)]), statusOK)
        XCTAssertEqual(server.requests.count, 2)
        let warnings = host.messages(at: TRAINER_LOG_WARNING)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings.first?.hasPrefix("RemoteMonitor root server at \(server.root) answered HTTP 500 ") ?? false,
                      "\(warnings)")
        XCTAssertEqual(host.messages(at: TRAINER_LOG_INFO),
                       ["RemoteMonitor root server at \(server.root) is reachable again"])
        plugin.call(\.on_train_end, instance)
        XCTAssertEqual(host.messages(at: TRAINER_LOG_WARNING).count, 1, "one failed epoch needs no summary")
    }

    func testASlowServerTimesOutWithAWarning() throws {
        let server = try TestHTTPServer(.silent, lifetime: 10)
        defer { server.stop() }
        let host = FakeHost()
        let instance = try plugin.requireInstance(host: host, ["root": .string(server.root), "timeout": .double(0.5)])
        defer { plugin.destroy(instance) }
        XCTAssertEqual(plugin.call(\.on_epoch_end, instance, 0, [("loss", 1)]), statusOK)
        // The request arrived and was never answered; the plugin's own limit ended the wait
        // (URLSession's backstop says "timed out", a closed connection something else).
        XCTAssertEqual(server.requests(atLeast: 1).map(\.path), ["/publish/epoch/end/"])
        XCTAssertEqual(host.messages(at: TRAINER_LOG_WARNING),
                       ["Could not reach RemoteMonitor root server at \(server.root) (no answer within 0.5 s)"])
        XCTAssertEqual(plugin.call(\.on_train_end, instance), statusOK)
        XCTAssertEqual(host.stopRequests, 0)
    }
}
