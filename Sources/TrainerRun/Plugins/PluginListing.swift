import Foundation
import TrainerHost

/// What `trainer plugins list` and `trainer plugins info` print.
public struct PluginListing {
    public let registry: PluginRegistry
    /// Ids enabled by the working configuration, lowercased.
    public let enabled: Set<String>
    /// The plugin files the working configuration approved.
    public let pins: PluginPins

    public init(registry: PluginRegistry, enabled: [PluginSettings], pins: PluginPins = .none) {
        self.registry = registry
        self.enabled = Set(enabled.map { $0.id.lowercased() })
        self.pins = pins
    }

    struct Row {
        var id: String
        var version: String
        var abi: String
        var enabled: Bool
        var hooks: [String]
        var path: String
        var status: String
        var reason: String?
        var summary: String
        var toolchain: String
        /// Whether the configuration records the file's SHA-256: nil when it does not apply
        /// (neither enabled nor recorded).
        var pinned: Bool? = nil
    }

    /// The pin of an enabled plugin or one with a recorded digest, and the status when the
    /// file is not the one approved. Only such plugins' files are hashed.
    func pinning(_ plugin: ScannedPlugin) -> (pinned: Bool?, changed: String?) {
        let isEnabled = enabled.contains(plugin.id.lowercased())
        guard let recorded = pins.sha256(for: plugin.id) else { return (isEnabled ? false : nil, nil) }
        guard isEnabled else { return (true, nil) }
        switch FileDigest.sha256(path: plugin.path) {
        case .failure(let message): return (true, "cannot be read: \(message)")
        case .success(let actual) where actual != recorded:
            return (true, pins.mismatch(id: plugin.id, path: plugin.path, recorded: recorded, actual: actual))
        case .success: return (true, nil)
        }
    }

    var rows: [Row] {
        let valid = registry.plugins.map { plugin in
            let d = plugin.descriptor
            var reason: String? = nil
            if d.toolchain.hasPrefix("swift"), d.toolchain != PluginLoader.hostToolchain {
                reason = "built with \(d.toolchain), the host with \(PluginLoader.hostToolchain): Swift has no stable ABI on Linux; rebuild the plugin if it misbehaves"
            }
            for other in registry.shadowedFiles(of: d.id) {
                let shadows = "shadows \(other.path) (the same id, later on the search path)"
                reason = reason.map { $0 + "; " + shadows } ?? shadows
            }
            if registry.allowInsecure, let problem = PluginFilePermissions.problem(pluginFile: plugin.path) {
                let allowed = "insecure, loaded because of --allow-insecure: "
                    + problem.replacingOccurrences(of: ", or pass --allow-insecure", with: "")
                reason = reason.map { $0 + "; " + allowed } ?? allowed
            }
            let (pinned, changed) = pinning(plugin)
            return Row(id: d.id, version: d.version, abi: d.abiText, enabled: enabled.contains(d.id.lowercased()),
                       hooks: d.hooks.map(\.rawValue), path: plugin.path, status: changed == nil ? "ok" : "changed",
                       reason: changed ?? reason, summary: d.summary, toolchain: d.toolchain, pinned: pinned)
        }
        let shadowed = registry.shadowed.map { file in
            Row(id: file.id, version: file.descriptor.version, abi: file.descriptor.abiText, enabled: false,
                hooks: file.descriptor.hooks.map(\.rawValue), path: file.path, status: "shadowed",
                reason: "\"\(file.id)\" is provided by \(file.by), found earlier on the search path; this file is never loaded",
                summary: file.descriptor.summary, toolchain: file.descriptor.toolchain)
        }
        let invalid = registry.invalid.map { problem in
            Row(id: problem.id ?? "-", version: "-", abi: "-", enabled: false, hooks: [], path: problem.path,
                status: "invalid", reason: problem.reason, summary: "", toolchain: "")
        }
        let insecure = registry.insecure.map { problem in
            let isEnabled = problem.id.map { enabled.contains($0.lowercased()) } ?? false
            let pinned = problem.id.flatMap { pins.sha256(for: $0) } != nil
            return Row(id: problem.id ?? "-", version: "-", abi: "-", enabled: isEnabled, hooks: [], path: problem.path,
                       status: "insecure", reason: problem.reason + " (never scanned nor loaded while it is so)",
                       summary: "", toolchain: "", pinned: pinned ? true : isEnabled ? false : nil)
        }
        return valid + shadowed + insecure + invalid
    }

    /// A table, one plugin a line; the reason of an invalid plugin on the line below it.
    public func text() -> String {
        let rows = self.rows
        if rows.isEmpty {
            return "No plugins found. Searched:\n" + registry.searchPath.directories.map { "  \($0)" }.joined(separator: "\n")
        }
        let header = ["ID", "VERSION", "ABI", "ENABLED", "PINNED", "STATUS", "PATH", "HOOKS"]
        let cells = rows.map { row in
            [row.id, row.version, row.abi, row.enabled ? "yes" : "no", row.pinned.map { $0 ? "yes" : "no" } ?? "-",
             row.status, row.path,
             row.hooks.isEmpty ? "-" : row.hooks.map { $0.replacingOccurrences(of: "on_", with: "") }.joined(separator: ",")]
        }
        let lines = TextTable.render(header: header, rows: cells)
        var out = [lines[0]]
        for (row, line) in zip(rows, lines.dropFirst()) {
            out.append(line)
            if let reason = row.reason {
                out.append("    \(row.status == "ok" ? "warning" : "reason"): \(reason)")
            }
        }
        return out.joined(separator: "\n")
    }

    /// One JSON object per plugin, in an array.
    public func json() -> String {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [
                "id": row.id, "version": row.version, "abi": row.abi, "enabled": row.enabled,
                "hooks": row.hooks, "path": row.path, "status": row.status,
            ]
            if row.status == "ok" {
                object["summary"] = row.summary
                object["toolchain"] = row.toolchain
            }
            if let reason = row.reason { object[row.status == "ok" ? "warning" : "reason"] = reason }
            if let pinned = row.pinned { object["pinned"] = pinned }
            return object
        }
        let data = try! JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
        return String(data: data, encoding: .utf8)!
    }

    /// `trainer plugins info ID`: the summary and the parameter table.
    public static func info(_ plugin: ScannedPlugin, enabled: Bool) -> String {
        let d = plugin.descriptor
        var out = "\(d.id) \(d.version): \(d.name)\n"
        if !d.summary.isEmpty { out += "\(d.summary)\n" }
        out += "\n"
        out += "path:     \(plugin.path)\n"
        out += "ABI:      \(d.abiText)" + (d.toolchain.isEmpty ? "" : " (\(d.toolchain))") + "\n"
        out += "enabled:  \(enabled ? "yes" : "no")\n"
        out += "hooks:    " + (d.hooks.isEmpty ? "none" : d.hooks.map(\.rawValue).joined(separator: ", ")) + "\n"
        out += "state:    " + (d.savesState ? "saved and restored on resume" : "none") + "\n"
        out += "\n"
        if d.parameters.isEmpty {
            out += "No parameters.\n"
            return out
        }
        let header = ["PARAMETER", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION"]
        let cells = d.parameters.map { spec in
            [spec.name, spec.type.rawValue + (spec.nullable && !spec.required ? "?" : ""),
             spec.required ? "(required)" : spec.defaultValue.description,
             spec.constraintText.isEmpty ? "-" : spec.constraintText, spec.help]
        }
        out += TextTable.render(header: header, rows: cells).joined(separator: "\n") + "\n"

        out += "\nSet them in trainer.toml under [plugins.\(d.id)], with `trainer plugins enable \(d.id) --set key=value`,\nor for one run with `trainer train --plugin \(d.id) --set key=value`."
        return out
    }
}
