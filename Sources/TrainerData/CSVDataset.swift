/// Loading a CSV file (one sample per row: feature columns and a label column) as a data set.
public enum CSVDataset {
    /// Whether the first row names the columns.
    public enum Header: Sendable, Equatable {
        /// A header when any non-empty cell of the first row is not a number.
        case auto
        case present
        case absent
    }

    /// Which column holds the label; every other column is a feature.
    public enum LabelColumn: Sendable, Equatable {
        /// The last column.
        case last
        /// By 0-based position; negative counts from the end (-1 is the last column).
        case index(Int)
        /// By header name (the file must have a header).
        case name(String)
    }

    public struct Options: Sendable, Equatable {
        /// The field separator: one ASCII character, e.g. `,`, `;` or a tab.
        public var delimiter: Character
        public var header: Header
        public var label: LabelColumn
        /// Class indices (default; the class count is taken from the data when nil) or values.
        public var targets: TargetKind

        public init(delimiter: Character = ",", header: Header = .auto, label: LabelColumn = .last,
                    targets: TargetKind = .classes(count: nil)) {
            self.delimiter = delimiter
            self.header = header
            self.label = label
            self.targets = targets
        }
    }

    /// The samples in the CSV file at `path` (gzip detected from the content).
    ///
    /// Features are Floats of shape `[columns - 1]`. Class labels must be whole numbers
    /// (`3` or `3.0`) in `0 ..< count`; Float targets are one value per row (shape `[]`).
    ///
    /// - Throws: `DataError` naming the file, and for cell problems the line and column: a
    ///   missing file, no data rows, a cell that is not a number, a row with a different
    ///   number of columns than the first, a bad class label, or a label column that does not
    ///   exist.
    public static func load(_ path: String, options: Options = Options()) throws -> InMemoryDataset {
        guard let delimiter = options.delimiter.asciiValue,
              !"0123456789.+-eE\"\r\n ".contains(options.delimiter) else {
            throw DataError(.invalidRequest, file: path,
                            "delimiter \"\(options.delimiter)\" must be one ASCII character that cannot appear in a number")
        }
        return try parse(DataFile.load(path), delimiter: delimiter, source: path, options: options)
    }

    /// The samples of CSV text `file` (followed by a zero byte, as `DataFile.load` leaves it)
    /// read from `path`; `delimiter` is the options' delimiter, checked.
    static func parse(_ file: OwnedBuffer, delimiter: UInt8, source path: String, options: Options) throws -> InMemoryDataset {
        let text = UnsafePointer(file.pointer(to: UInt8.self, count: file.count + 1))
        var scanner = CSVScanner(text: text, count: file.count, delimiter: delimiter)
        var fields: [CSVScanner.Field] = []
        fields.reserveCapacity(1024)

        func syntax<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as CSVScanner.SyntaxError {
                throw DataError(.malformed, file: path, line: error.line, column: error.column, error.message)
            }
        }

        // The first row: header or data.
        guard let firstLine = try syntax({ try scanner.nextRow(into: &fields) }) else {
            throw DataError(.empty, file: path, "the file holds no rows")
        }
        let columns = fields.count
        guard columns >= 2 else {
            throw DataError(.invalidRequest, file: path, line: firstLine,
                            "rows have 1 column; a feature column and a label column are needed")
        }
        let hasHeader: Bool
        switch options.header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .auto:
            hasHeader = fields.contains { field in
                parseNumber(text, from: field.start, to: field.end) == nil && !scanner.string(field).isEmpty
            }
        }
        let names: [String]? = hasHeader ? fields.map { scanner.string($0) } : nil

        let labelIndex: Int
        switch options.label {
        case .last:
            labelIndex = columns - 1
        case let .index(i):
            guard i >= -columns, i < columns else {
                throw DataError(.invalidRequest, file: path,
                                "label column index \(i) is outside the \(columns) columns of the file")
            }
            labelIndex = i < 0 ? columns + i : i
        case let .name(name):
            guard let names else {
                throw DataError(.invalidRequest, file: path,
                                "label column \"\(name)\" is named, but the file has no header row")
            }
            guard let i = names.firstIndex(of: name) else {
                throw DataError(.invalidRequest, file: path, line: firstLine,
                                "no column is named \"\(name)\" (columns: \(names.joined(separator: ", ")))")
            }
            labelIndex = i
        }

        let featureColumns = columns - 1
        // Every cell takes at least two bytes of text (digit and delimiter) and four as a Float,
        // so twice the text size holds all the values; pages never written are never touched.
        let features = OwnedBuffer(capacity: 2 * file.count + 64)
        let labels = OwnedBuffer(capacity: 2 * file.count / columns + 64)
        var classTargets = false
        var declaredClasses: Int? = nil
        if case let .classes(count) = options.targets {
            if let count, count < 1 {
                throw DataError(.invalidRequest, file: path, "class count must be at least 1, not \(count)")
            }
            classTargets = true
            declaredClasses = count
        }
        let classLimit = Double(declaredClasses ?? Int(Int32.max))
        var largestClass = -1
        var rows = 0

        func cellError(_ kind: DataError.Kind, line: Int, column: Int, _ message: String) -> DataError {
            DataError(kind, file: path, line: line, column: column + 1, columnName: names?[column], message)
        }

        var line: Int? = firstLine
        if hasHeader { line = try syntax({ try scanner.nextRow(into: &fields) }) }
        while let rowLine = line {
            guard fields.count == columns else {
                throw DataError(.raggedRow, file: path, line: rowLine,
                                "row has \(fields.count) columns, but the first row (line \(firstLine)) has \(columns)")
            }
            features.reserveAdditional(featureColumns * MemoryLayout<Float>.stride)
            var output = features.base + features.count
            for column in 0 ..< columns {
                let field = fields[column]
                guard let value = parseNumber(text, from: field.start, to: field.end) else {
                    let cell = scanner.string(field)
                    let shown = cell.count > 40 ? String(cell.prefix(40)) + "…" : cell
                    throw cellError(.notNumeric, line: rowLine, column: column,
                                    cell.isEmpty ? "empty cell where a number is expected"
                                                 : "\"\(shown)\" is not a number")
                }
                if column == labelIndex {
                    if classTargets {
                        guard value >= 0, value < classLimit, value.rounded(.towardZero) == value else {
                            let range = declaredClasses.map { " outside 0..<\($0) (the number of classes)" }
                                ?? " not a class index (a whole number from 0)"
                            throw cellError(.badLabel, line: rowLine, column: column,
                                            "label \(format(value)) is\(range)")
                        }
                        largestClass = max(largestClass, Int(value))
                        labels.append(Int32(value))
                    } else {
                        labels.append(Float(value))
                    }
                } else {
                    output.storeBytes(of: Float(value), as: Float.self)
                    output += MemoryLayout<Float>.stride
                }
            }
            features.count += featureColumns * MemoryLayout<Float>.stride
            rows += 1
            line = try syntax({ try scanner.nextRow(into: &fields) })
        }
        guard rows > 0 else {
            throw DataError(.empty, file: path, "the file has a header row but no data rows")
        }

        features.shrinkToFit()
        labels.shrinkToFit()
        let featurePointer = UnsafePointer(features.pointer(to: Float.self, count: rows * featureColumns))
        switch options.targets {
        case let .classes(count):
            let pointer = UnsafePointer(labels.pointer(to: Int32.self, count: rows))
            return InMemoryDataset(count: rows, featureShape: [featureColumns], targetShape: [],
                                   classCount: count ?? largestClass + 1, normalization: .unitInterval,
                                   source: path, featureOwner: features, features: .floats(featurePointer),
                                   targetOwner: labels, targets: .classes(pointer), table: nil)
        case .values:
            let pointer = UnsafePointer(labels.pointer(to: Float.self, count: rows))
            return InMemoryDataset(count: rows, featureShape: [featureColumns], targetShape: [],
                                   classCount: nil, normalization: .unitInterval,
                                   source: path, featureOwner: features, features: .floats(featurePointer),
                                   targetOwner: labels, targets: .values(pointer), table: nil)
        }
    }

    private static func format(_ value: Double) -> String {
        value.rounded(.towardZero) == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
