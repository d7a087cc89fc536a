import Foundation
import TrainerHost

/// One case of `Tests/Fixtures/keras-parity/*.jsonl`: a callback's parameters, the logs it was
/// fed and what Keras decided (see that folder's README).
struct ParityCase: Decodable {
    var callback: String
    var params: [String: JSONValue]
    var initialLR: Double
    var epochs: [[String: JSONValue]]?
    var batches: [[[String: JSONValue]]]?
    var expect: [String: JSONValue]

    enum CodingKeys: String, CodingKey {
        case callback, params, epochs, batches, expect
        case initialLR = "initial_lr"
    }

    /// The parameters Keras was given (`null` means not given: the plugin's default).
    func settings(for plugin: ScannedPlugin) throws -> PluginSettings {
        var settings = PluginSettings(id: plugin.id)
        for key in params.keys.sorted() {
            let value: ParameterValue
            switch params[key]! {
            case .null: continue
            case .bool(let b): value = .bool(b)
            case .int(let i): value = .int(Int64(i))
            case .double(let d): value = .double(d)
            case .string(let s): value = .string(s)
            case .array, .object:
                throw UsageProblem("\(callback): parameter \(key) is not a single value")
            }
            settings.set(key, value)
        }
        return settings
    }
}
