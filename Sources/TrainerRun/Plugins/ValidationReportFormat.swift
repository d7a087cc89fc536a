import Foundation
import TrainerHost

/// A validation report for a person, or as JSON.
enum ValidationReportFormat {
    static func text(_ report: PluginValidator.Report) -> String {
        let name = [report.id, report.version].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        var lines = ["Validating \(report.path)" + (name.isEmpty ? "" : " (\(name))") + ", seed \(report.seed)"]
        let width = ValidationCheck.allCases.map(\.rawValue.count).max() ?? 0
        for result in report.checks {
            let mark = result.status == .fail ? "FAIL" : result.status.rawValue
            let label = result.check.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(mark.padding(toLength: 4, withPad: " ", startingAt: 0))  \(label)  \(result.reason)")
            if result.status == .fail, let errors = result.errorOutput {
                lines += errors.split(separator: "\n").map { "        | \($0)" }
            }
        }
        let count = { (status: CheckStatus) in report.checks.filter { $0.status == status }.count }
        lines.append("\(count(.pass)) passed, \(count(.fail)) failed, \(count(.skip)) skipped."
                     + (report.passed ? "" : " Repeat the random cases with --seed \(report.seed)."))
        return lines.joined(separator: "\n")
    }

    /// `{"path", "id", "version", "seed", "passed", "scan_seconds", "checks": [{"id", "status", "reason", "stderr"}]}`.
    static func json(_ report: PluginValidator.Report) -> String {
        var object: [String: Any] = [
            "path": report.path,
            "seed": report.seed,
            "passed": report.passed,
            "checks": report.checks.map { result -> [String: Any] in
                var entry: [String: Any] = ["id": result.check.rawValue, "status": result.status.rawValue, "reason": result.reason]
                if let errors = result.errorOutput { entry["stderr"] = errors }
                return entry
            },
        ]
        if let id = report.id { object["id"] = id }
        if let version = report.version { object["version"] = version }
        if let seconds = report.scanSeconds { object["scan_seconds"] = seconds }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
