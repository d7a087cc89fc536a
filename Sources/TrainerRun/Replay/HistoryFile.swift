import Foundation

/// A past run's per-epoch logs, from the History plugin's JSON or a CSVLogger file.
struct HistoryFile {
    var epochs: [RecordedLogs]

    static func read(_ path: String) throws -> HistoryFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageProblem("\(path): no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "{" {
            return try json(data, path: path)
        }
        return try csv(text, path: path)
    }

    /// `{"epochs": [0, 1, ...], "history": {"loss": [...], ...}}` (History), or Keras's
    /// `history.history` dict alone.
    static func json(_ data: Data, path: String) throws -> HistoryFile {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw UsageProblem("\(path): not valid JSON: \(error)")
        }
        guard case .object(let top) = value else { throw UsageProblem("\(path): expected a JSON object") }
        let history: [String: JSONValue]
        if case .object(let inner)? = top["history"] { history = inner } else { history = top }
        var columns: [String: [Double]] = [:]
        for (name, series) in history {
            guard case .array(let items) = series else { throw UsageProblem("\(path): history.\(name) is not a list") }
            columns[name] = try items.enumerated().map { i, item in
                // History writes a NaN or infinite value as null (JSON has neither); it comes back as NaN.
                if case .null = item { return .nan }
                guard let v = item.logValue else { throw UsageProblem("\(path): history.\(name)[\(i)] is not a number") }
                return v
            }
        }
        return try HistoryFile(columns: columns, path: path)
    }

    /// A CSVLogger file: a header row `epoch,<names...>`, one row per epoch; the separator
    /// is found from the header (`,`, tab or `;`).
    static func csv(_ text: String, path: String) throws -> HistoryFile {
        let rows = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
        guard let header = rows.first else { throw UsageProblem("\(path): empty file") }
        let separator: Character = [",", "\t", ";"].first { header.contains($0) } ?? ","
        let names = header.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        var columns: [String: [Double]] = [:]
        for (number, row) in rows.dropFirst().enumerated() {
            let cells = row.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            guard cells.count == names.count else {
                throw UsageProblem("\(path): line \(number + 2) has \(cells.count) fields, the header \(names.count)")
            }
            for (name, cell) in zip(names, cells) where name != "epoch" {
                guard let value = JSONValue.string(cell.trimmingCharacters(in: .whitespaces)).logValue else {
                    throw UsageProblem("\(path): line \(number + 2), \(name): \"\(cell)\" is not a number")
                }
                columns[name, default: []].append(value)
            }
        }
        return try HistoryFile(columns: columns, path: path)
    }

    init(columns: [String: [Double]], path: String) throws {
        let lengths = Set(columns.values.map(\.count))
        guard lengths.count <= 1 else { throw UsageProblem("\(path): the logs have different numbers of epochs") }
        let count = lengths.first ?? 0
        guard count > 0 else { throw UsageProblem("\(path): holds no epochs") }
        let names = columns.keys.sorted()
        epochs = (0..<count).map { e in RecordedLogs(names.map { ($0, columns[$0]![e]) }) }
    }

    /// The learning rate the run started with, when the history recorded it.
    var initialLearningRate: Double? {
        epochs.first?.items.first { $0.name == "learning_rate" || $0.name == "lr" }?.value
    }
}
