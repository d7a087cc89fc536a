import Foundation
import TrainerHost

/// `--plugin ID --set key=value ...` from the command line: each `--set` belongs to the
/// `--plugin` before it. Values stay text until the plugin's schema says how to read them.
public struct PluginOverride: Equatable, Sendable {
    public var id: String
    public var settings: [KeyValueText]

    public init(id: String, settings: [KeyValueText] = []) {
        self.id = id
        self.settings = settings
    }
}

/// One `key=value` as typed.
public struct KeyValueText: Equatable, Sendable {
    public var key: String
    public var value: String

    /// Splits "key=value" at the first "=".
    public init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ConfigError(source: "command line", key: "--set", "expects key=value, not \"\(text)\"")
        }
        key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        value = String(text[text.index(after: equals)...])
    }
}

extension PluginOverride {
    /// Pairs `--set` options with the `--plugin` before them, in command-line order.
    public static func parse(arguments: [String]) throws -> [PluginOverride] {
        var overrides: [PluginOverride] = []
        var index = 0
        func value(of option: String) -> String? {
            let argument = arguments[index]
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
            if argument == option, index + 1 < arguments.count {
                index += 1
                return arguments[index]
            }
            return nil
        }
        while index < arguments.count {
            if arguments[index] == "--" { break }
            if let id = value(of: "--plugin") {
                overrides.append(PluginOverride(id: id))
            } else if let text = value(of: "--set") {
                guard !overrides.isEmpty else {
                    throw ConfigError(source: "command line", key: "--set", "\"\(text)\" must follow the --plugin it sets")
                }
                overrides[overrides.count - 1].settings.append(try KeyValueText(parsing: text))
            }
            index += 1
        }
        return overrides
    }

    /// Reads the texts as the plugin's parameter types.
    public func values(for plugin: ScannedPlugin) throws -> [(key: String, value: ParameterValue)] {
        try settings.map { setting in
            guard let spec = plugin.descriptor.parameter(named: setting.key) else {
                throw PluginSettingsError.unknownParameter(setting.key, of: plugin)
            }
            switch spec.parse(text: setting.value) {
            case .success(let value): return (setting.key, value)
            case .failure(let problem): throw PluginSettingsError(plugin: plugin.id, key: setting.key, message: problem.message)
            }
        }
    }
}
