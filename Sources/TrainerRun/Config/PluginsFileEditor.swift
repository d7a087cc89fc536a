import Foundation
import TrainerHost

/// Changes the `[plugins]` part of a configuration file for `trainer plugins enable/disable`,
/// in place: the `enabled` list and the parameters set are rewritten on their own lines, new
/// keys and tables are added, and every other line of the file (comments included, inside
/// the plugin tables too) stays as it was. `pin` records a plugin file's SHA-256 in the
/// `[plugin_sha256]` table the same way.
public struct PluginsFileEditor {
    public let path: String
    /// The plugins the file enables, in order (Keras's defaults when it names none).
    public private(set) var enabled: [PluginSettings]
    /// Parameter tables of plugins that are not enabled, kept as they were.
    private var parked: [PluginSettings]
    /// Parameters set by `enable`, by plugin, in order: what the new text changes.
    private var changes: [(id: String, key: String, value: ParameterValue)] = []
    /// Digests recorded by `pin`, by plugin, in order.
    private var pins: [(id: String, sha256: String)] = []
    private let originalText: String

    /// Reads the file; a missing file is an empty configuration.
    public init(path: String) throws {
        var text = ""
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path),
                  let contents = String(data: data, encoding: .utf8) else {
                throw ConfigError(source: path, "cannot be read as UTF-8 text")
            }
            text = contents
        }
        try self.init(text: text, path: path)
    }

    /// Edits `text`, the contents of the file at `path` (which is written only by `write`).
    init(text: String, path: String) throws {
        self.path = path
        originalText = text
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
        changes += values.map { (id, $0.key, $0.value) }
    }

    /// Records the SHA-256 of the plugin's file (64 lowercase hexadecimal digits), replacing
    /// what the file recorded for it.
    public mutating func pin(_ id: String, sha256: String) {
        pins.removeAll { $0.id.lowercased() == id.lowercased() }
        pins.append((id, sha256))
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
        var document = TOMLDocument(originalText)
        let list = "[" + enabled.map { TOMLText.string($0.id) }.joined(separator: ", ") + "]"
        PluginsFileEditor.set(["plugins", "enabled"], literal: list, in: &document)
        for change in changes {
            let key = ["plugins", change.id, change.key]
            if let literal = TOMLText.value(change.value) {
                PluginsFileEditor.set(key, literal: literal, in: &document)
            } else {
                // No value: the key goes, so the plugin's default applies.
                let lines = document.statements.indices.filter {
                    document.fullKey(at: $0).map { PluginsFileEditor.matches($0, key) } ?? false
                }
                for index in lines.reversed() { document.statements.remove(at: index) }
            }
        }
        for pin in pins {
            PluginsFileEditor.set([PluginHashesSection.tableName, pin.id], literal: TOMLText.string(pin.sha256), in: &document)
        }
        return document.text + "\n"
    }

    /// Checks the new text reads back as the plugins it should enable, then writes it
    /// atomically (temporary file, rename).
    public func write() throws {
        let newText = text
        func notInPlace(_ reason: String) -> ConfigError {
            ConfigError(source: path, key: "plugins",
                        "cannot be edited in place (\(reason)); write the plugins as a [plugins] table with one "
                        + "[plugins.ID] table per plugin, then try again")
        }
        let written: [PluginSettings]
        let writtenHashes: [String: String]
        do {
            let config = try ConfigLoader.parse(newText, source: path)
            written = config.plugins
            writtenHashes = config.pluginSHA256
        } catch {
            throw notInPlace("the edited text would not read: \(error)")
        }
        guard pins.allSatisfy({ writtenHashes[$0.id.lowercased()] == $0.sha256.lowercased() }) else {
            throw notInPlace("the edited text would not record the plugin's SHA-256")
        }
        let wanted = enabled.map { settings in (settings.id.lowercased(), settings.values.filter { $0.value != .none }) }
        let got = written.map { ($0.id.lowercased(), $0.values) }
        guard wanted.map(\.0) == got.map(\.0),
              zip(wanted, got).allSatisfy({ want, have in
                  want.1.count == have.1.count && want.1.allSatisfy { pair in have.1.contains { $0.key == pair.key && $0.value == pair.value } }
              }) else {
            throw notInPlace("the edited text would enable other plugins or values")
        }
        let url = URL(fileURLWithPath: path)
        do {
            try newText.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw ConfigError(source: path, "cannot be written: \(error.localizedDescription)")
        }
    }

    // MARK: - Text

    static let headingComment = "# Callback plugins, run in this order"
    static let hashesComment = "# SHA-256 of each plugin file as `trainer plugins enable` approved it: a run refuses a plugin whose file changed"

    /// Whether a file's key names `key`: the plugin's id (`plugins.ID.name`,
    /// `plugin_sha256.ID`) matched case-insensitively, as runs match ids.
    static func matches(_ fileKey: [String], _ key: [String]) -> Bool {
        guard fileKey.count == key.count else { return false }
        let idAtIndex1 = key.count == 3 || key.first == PluginHashesSection.tableName
        return zip(fileKey, key).enumerated().allSatisfy { index, pair in
            index == 1 && idAtIndex1 ? pair.0.lowercased() == pair.1.lowercased() : pair.0 == pair.1
        }
    }

    /// Gives `key` (`plugins.enabled` or `plugins.ID.name`) the value `literal`: on its own
    /// line when the file has it, else as a new line at the end of its table, else in a new
    /// table at the end of the file.
    static func set(_ key: [String], literal: String, in document: inout TOMLDocument) {
        let statements = document.statements
        if let index = statements.indices.first(where: { document.fullKey(at: $0).map { matches($0, key) } ?? false }) {
            let old = statements[index]
            guard case let .keyValue(parts) = old.kind else { return }
            document.statements[index] = document.keyValue(parts, keyText: old.keyText, literal: literal, replacing: old)
            return
        }
        let tableKey = Array(key.dropLast())
        let name = key.last!
        let line = document.keyValue([name], keyText: TOMLText.key(name), literal: literal)
        if let header = statements.indices.first(where: {
            if case let .table(parts, false) = statements[$0].kind { return matches(parts + [name], key) }
            return false
        }) {
            // After the table's last key (its trailing comments and blank lines stay after).
            var insertion = header + 1
            var i = header + 1
            while i < statements.count {
                if case .table = statements[i].kind { break }
                if case .keyValue = statements[i].kind { insertion = i + 1 }
                i += 1
            }
            document.statements.insert(line, at: insertion)
            return
        }
        var added: [TOMLDocument.Statement] = []
        if let last = document.statements.last, !(last.lines.allSatisfy { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            added.append(TOMLDocument.Statement(kind: .trivia, lines: [document.line("")]))
        }
        if tableKey == ["plugins"] {
            added.append(TOMLDocument.Statement(kind: .trivia,
                                                lines: [document.line(headingComment + " (trainer plugins enable/disable edit this part).")]))
        }
        if tableKey == [PluginHashesSection.tableName] {
            added.append(TOMLDocument.Statement(kind: .trivia, lines: [document.line(hashesComment + ".")]))
        }
        let header = "[" + tableKey.map(TOMLText.key).joined(separator: ".") + "]"
        added.append(TOMLDocument.Statement(kind: .table(tableKey, array: false), lines: [document.line(header)]))
        added.append(line)
        document.statements += added
    }

    /// Parameter tables in the file for plugins that are not enabled.
    static func parkedSettings(in table: ConfigReader?, enabled: [PluginSettings]) throws -> [PluginSettings] {
        guard let table else { return [] }
        let enabledIDs = Set(enabled.map { $0.id.lowercased() })
        var parked: [PluginSettings] = []
        for name in table.values.keys.sorted() where name != "enabled" && !enabledIDs.contains(name.lowercased()) {
            guard let settingsTable = try table.table(name) else { continue }
            parked.append(try PluginsSection.settings(name, settingsTable))
        }
        return parked
    }
}
