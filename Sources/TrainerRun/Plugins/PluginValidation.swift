import Foundation
import Logging
import TrainerHost

/// The work behind `trainer plugins validate` and its hidden check mode.
public enum PluginValidation {
    /// Validates the plugin file `target` names (a path, or else the id of a plugin found on
    /// the search path); returns the report as text or JSON, and whether every check passed.
    /// A file or id that cannot be found, or a `--set` without `=`, is a UsageProblem.
    public static func validate(target: String, settings: [KeyValueText], seed: UInt64?, json: Bool, timeout: Double?,
                                pluginDirectories: [String], allowInsecure: Bool) throws -> (output: String, passed: Bool) {
        let path = try resolve(target, pluginDirectories: pluginDirectories, allowInsecure: allowInsecure)
        if let timeout, !(timeout.isFinite && timeout > 0) {
            throw UsageProblem("--timeout: must be a positive number of seconds, not \(timeout)")
        }
        let seed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let validator = PluginValidator(timeout: timeout ?? PluginValidator.defaultTimeout)
        let report = try UsageProblem.wrap {
            try validator.validate(path: path, settings: settings.map { ($0.key, $0.value) }, seed: seed)
        }
        return (json ? ValidationReportFormat.json(report) : ValidationReportFormat.text(report), report.passed)
    }

    /// A path (it holds a "/" or names an existing file), made absolute; else an id.
    static func resolve(_ target: String, pluginDirectories: [String], allowInsecure: Bool) throws -> String {
        let manager = FileManager.default
        if target.contains("/") || target.hasSuffix(".so") || manager.fileExists(atPath: target) {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: target, isDirectory: &isDirectory) else {
                throw UsageProblem("\(target): no such file")
            }
            guard !isDirectory.boolValue else { throw UsageProblem("\(target): a directory, not a plugin file") }
            return ((target.hasPrefix("/") ? target : manager.currentDirectoryPath + "/" + target) as NSString).standardizingPath
        }
        let registry = PluginCommands.registry(pluginDirectories, allowInsecure: allowInsecure)
        guard let plugin = registry.plugin(id: target) else {
            if let broken = registry.invalid.first(where: { $0.id?.lowercased() == target.lowercased() }) { return broken.path }
            throw UsageProblem(registry.unknownPluginError(target))
        }
        return plugin.path
    }

    /// The check mode (`trainer validate-check`): runs one check in this process and answers
    /// on file descriptor 3, for the validator that started it. Every log message goes to
    /// standard error: standard output is what the plugin writes, and the stdout check reads it.
    public static func serveCheck(check: String, plugin: String, settings: [KeyValueText], seed: UInt64,
                                  workDirectory: String) throws {
        guard let which = ValidationCheck(rawValue: check) else {
            throw UsageProblem("--check: unknown check \(check) (checks: \(ValidationCheck.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let logger = ConsoleLogHandler.standardErrorLogger(label: "trainer.validate")
        guard PluginCheckService.serve(check: which, path: plugin, settings: settings.map { ($0.key, $0.value) }, seed: seed,
                                       workDirectory: workDirectory, logger: logger) else {
            throw UsageProblem("\(PluginCheckService.subcommand) answers on file descriptor 3: it is started by trainer itself")
        }
    }
}
