import Foundation
import TrainerHost

/// Changes the `[plugins]` part of a configuration file for `trainer plugins enable/disable`,
/// leaving every other line of the file (comments included) as it was.
public struct PluginsFileEditor {
    public let path: String
    /// The plugins the file enables, in order (Keras's defaults when it names none).
    public private(set) var enabled: [PluginSettings]
    /// Parameter tables of plugins that are not enabled, kept as they were.
    private var parked: [PluginSettings]
    private let originalText: String

    /// Reads the file; a missing file is an empty configuration.
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(source: path, "cannot be read as UTF-8 text")
            }
            originalText = text
        } else {
            originalText = ""
        }
        let reader = try ConfigLoader.reader(originalText, source: path)
        enabled = try ConfigLoader.read(reader).plugins
        parked = try PluginsFileEditor.parkedSettings(in: reader.table("plugins"), enabled: enabled)
    }

    /// Enables the plugin (appended at the end unless already enabled) and sets parameters.
    public mutating func enable(_ id: String, set values: [(key: String, value: ParameterValue)]) {
        var settings: PluginSettings
        if let index = enabled.firstIndex(where: { $0.id.lowercased() == id.lowercased() }) {
            settings = enabled.remove(at: index)
            settings.id = id
            for (key, value) in values { settings.set(key, value) }
            enabled.insert(settings, at: index)
        } else {
            settings = parked.first(where: { $0.id.lowercased() == id.lowercased() }) ?? PluginSettings(id: id)
            parked.removeAll { $0.id.lowercased() == id.lowercased() }
            settings.id = id
            for (key, value) in values { settings.set(key, value) }
            enabled.append(settings)
        }
    }

    /// Disables the plugin, keeping its parameters in the file. Returns false when it was not enabled.
    @discardableResult
    public mutating func disable(_ id: String) -> Bool {
        guard let index = enabled.firstIndex(where: { $0.id.lowercased() == id.lowercased() }) else { return false }
        let settings = enabled.remove(at: index)
        if !settings.values.isEmpty { parked.append(settings) }
        return true
    }

    /// The file's new text.
    public var text: String {
        var lines = PluginsFileEditor.linesOutsidePlugins(originalText)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        var out = lines.joined(separator: "\n")
        if !out.isEmpty { out += "\n\n" }
        out += PluginsFileEditor.headingComment + " (trainer plugins enable/disable edit this part).\n"
        out += "[plugins]\n"
        out += "enabled = [" + enabled.map { TOMLText.string($0.id) }.joined(separator: ", ") + "]\n"
        for settings in enabled + parked where !settings.values.isEmpty {
            out += "\n[plugins.\(TOMLText.key(settings.id))]\n"
            for (key, value) in settings.values {
                if let literal = TOMLText.value(value) { out += "\(TOMLText.key(key)) = \(literal)\n" }
            }
        }
        return out
    }

    /// Checks the new text reads back, then writes it atomically (temporary file, rename).
    public func write() throws {
        let newText = text
        _ = try ConfigLoader.parse(newText, source: path)
        let url = URL(fileURLWithPath: path)
        do {
            try newText.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError(source: path, "cannot be written: \(error.localizedDescription)")
        }
    }

    // MARK: - Text

    static let headingComment = "# Callback plugins, run in this order"

    /// The dotted key of a table header line (`[a.b]` or `[[a.b]]`), or nil for other lines.
    static func headerKey(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("[") else { return nil }
        var body = Substring(trimmed)
        if let hash = body.firstIndex(of: "#"), !body[..<hash].contains("\"") { body = body[..<hash] }
        body = Substring(body.trimmingCharacters(in: .whitespaces))
        while body.hasPrefix("[") { body = body.dropFirst() }
        while body.hasSuffix("]") { body = body.dropLast() }
        return body.trimmingCharacters(in: .whitespaces)
    }

    static func isPluginsHeader(_ key: String) -> Bool {
        key == "plugins" || key.hasPrefix("plugins.") || key.hasPrefix("plugins ")
    }

    /// The file's lines without the `[plugins]` and `[plugins.*]` sections.
    static func linesOutsidePlugins(_ text: String) -> [String] {
        var kept: [String] = []
        var inPlugins = false
        for line in text.components(separatedBy: "\n") {
            if let key = headerKey(line) { inPlugins = isPluginsHeader(key) }
            if !inPlugins { kept.append(line) }
        }
        // Our own heading comment is written again with the section.
        return kept.filter { !$0.hasPrefix(headingComment) }
    }

    /// Parameter tables in the file for plugins that are not enabled.
    static func parkedSettings(in table: ConfigReader?, enabled: [PluginSettings]) throws -> [PluginSettings] {
        guard let table else { return [] }
        let enabledIDs = Set(enabled.map { $0.id.lowercased() })
        var parked: [PluginSettings] = []
        for name in table.values.keys.sorted() where name != "enabled" && !enabledIDs.contains(name.lowercased()) {
            guard let settingsTable = try table.table(name) else { continue }
            var settings = PluginSettings(id: name)
            for key in settingsTable.values.keys.sorted() {
                settings.set(key, try PluginsSection.parameterValue(settingsTable.raw(key)!, key: key, in: settingsTable))
            }
            parked.append(settings)
        }
        return parked
    }
}
