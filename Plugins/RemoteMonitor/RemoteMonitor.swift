import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TrainerPluginSDK

/// Keras's `RemoteMonitor` callback as a plugin (keras/src/callbacks/remote_monitor.py): at the
/// end of every epoch it POSTs the epoch's logs, with `"epoch"` first, to `root + path`.
///
/// - `send_as_json = false` (the default): a form, `Content-Type:
///   application/x-www-form-urlencoded`, whose one field `field` (default `data`) holds the
///   logs as JSON: `data=%7B%22epoch%22%3A+0%2C+%22loss%22%3A+0.5%7D`.
/// - `send_as_json = true`: the logs as the JSON body, `Content-Type: application/json`:
///   `{"epoch": 0, "loss": 0.5}`.
///
/// The JSON is written as Python's `json.dumps` writes it, so a receiver sees what Keras sends:
/// `", "` and `": "` separators, floats as Python's `repr` (`0.0001`, `1e-05`, `1.0`),
/// non-ASCII escaped, and NaN and infinities as `NaN`, `Infinity` and `-Infinity`.
///
/// `headers` is Keras's dict of extra headers, given as text in one of two forms:
/// `"Authorization: Bearer abc; X-Run: 7"` (`Name: value` pairs separated by `;`) or a JSON
/// object of strings, `{"Authorization": "Bearer abc", "X-Run": "7"}` (use it when a value
/// holds `;`). A `Content-Type` given there replaces the one the mode sets.
///
/// A server that is down, does not answer within `timeout` seconds, or answers with an HTTP
/// error never fails the run: the plugin logs a warning (Keras: "Could not reach
/// RemoteMonitor root server at ROOT") the first time, and again only when the reason
/// changes; at the end of training it says how many epochs could not be sent.
public final class RemoteMonitor: TrainerCallback, OnEpochEnd, OnTrainEnd {
    public static let id = "RemoteMonitor"
    public static let name = "Remote monitor"
    public static let version = "1.0.0"
    public static let summary = "POSTs every epoch's logs to an HTTP server (Keras RemoteMonitor)."
    public static let parameters: [ParameterSpec] = [
        .string("root", default: "http://localhost:9000", help: "root URL of the target server"),
        .string("path", default: "/publish/epoch/end/", help: "path relative to root the events are sent to"),
        .string("field", default: "data",
                help: "form field holding the JSON logs (only when send_as_json is false)"),
        .string("headers", default: nil,
                help: "extra HTTP headers: \"Name: value; Name2: value2\" or a JSON object of strings",
                nullable: true),
        .bool("send_as_json", default: false,
              help: "send the logs as an application/json body instead of a form"),
        .double("timeout", default: 5, help: "seconds to wait for the server on each epoch",
                min: 0.001, max: 600),
    ]

    // Foundation has a `Host` class too.
    private let host: TrainerPluginSDK.Host
    private let root: String
    private let url: URL
    private let field: String
    private let headers: [(name: String, value: String)]
    private let sendAsJSON: Bool
    private let poster: Poster
    /// The last failure reported, so the same one is not repeated every epoch.
    private var lastFailure: String?
    private var failedEpochs = 0
    private var sentEpochs = 0

    public init(parameters: Parameters, host: TrainerPluginSDK.Host) throws {
        self.host = host
        root = try parameters.string("root")
        let path = try parameters.string("path")
        guard let url = URL(string: root + path),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let hostName = url.host, !hostName.isEmpty
        else {
            throw PluginError("root + path is '\(root + path)', which is not an http:// or https:// URL")
        }
        self.url = url
        field = try parameters.string("field")
        headers = try HTTPHeaders.parse(try parameters.optionalString("headers") ?? "")
        sendAsJSON = try parameters.bool("send_as_json")
        poster = Poster(timeout: try parameters.double("timeout"))
    }

    public func onEpochEnd(epoch: Int, logs: Logs) throws {
        var fields: [(String, PythonJSON.Value)] = [("epoch", .int(epoch))]
        for (name, value) in logs {
            if name == "epoch" {
                fields[0].1 = .double(value) // as a Python dict: same key, new value, first place
            } else {
                fields.append((name, .double(value)))
            }
        }
        let json = PythonJSON.object(fields)
        let body: String
        let contentType: String
        if sendAsJSON {
            body = json
            contentType = "application/json"
        } else {
            body = FormEncoding.quotePlus(field) + "=" + FormEncoding.quotePlus(json)
            contentType = "application/x-www-form-urlencoded"
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        switch poster.post(request) {
        case .answered(let status) where (200..<400).contains(status):
            sentEpochs += 1
            if lastFailure != nil {
                host.log(.info, "RemoteMonitor root server at \(root) is reachable again")
                lastFailure = nil
            }
        case .answered(let status):
            failed("RemoteMonitor root server at \(root) answered HTTP \(status) "
                   + "(\(HTTPURLResponse.localizedString(forStatusCode: status))) to \(url.absoluteString)")
        case .failed(let reason):
            failed("Could not reach RemoteMonitor root server at \(root) (\(reason))")
        }
    }

    public func onTrainEnd(logs: Logs) throws {
        guard failedEpochs > 1 else { return }
        host.log(.warning, "\(failedEpochs) of \(failedEpochs + sentEpochs) epochs could not be sent to \(url.absoluteString)")
    }

    private func failed(_ message: String) {
        failedEpochs += 1
        if message != lastFailure { host.log(.warning, message) }
        lastFailure = message
    }
}

@_cdecl("trainer_plugin_entry")
public func trainerPluginEntry() -> UnsafeRawPointer { export(RemoteMonitor.self) }
