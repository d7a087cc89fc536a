import Foundation

/// A data file that cannot be used, or a data request that cannot be met.
///
/// The description names the file (and, for text formats, the line and column) and says what
/// is wrong, e.g. `train.csv: line 12, column 3 ("age"): "abc" is not a number`.
public struct DataError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong, for callers that react to some failures differently.
    public enum Kind: String, Sendable, Equatable {
        /// The file does not exist.
        case missingFile
        /// The file exists but cannot be read (a directory, no permission, an I/O error).
        case unreadable
        /// Gzip data that zlib rejects (bad header, bad block, wrong checksum).
        case corruptGzip
        /// Gzip data that ends before its stream does.
        case truncatedGzip
        /// The file does not start as its format requires.
        case badMagic
        /// The data is shorter or longer than its header says.
        case sizeMismatch
        /// Feature and label files hold different numbers of samples.
        case countMismatch
        /// A class label outside `0 ..< classCount`, negative, or not an integer.
        case badLabel
        /// A text cell that is not a number.
        case notNumeric
        /// A text row with a different number of columns than the first row.
        case raggedRow
        /// A header or text structure that cannot be parsed.
        case malformed
        /// Valid data in a form this loader does not handle (a dtype, byte order, layout).
        case unsupported
        /// A request that does not fit the data (a shape, a split, a column).
        case invalidRequest
        /// The file holds no samples.
        case empty
    }

    public var kind: Kind
    /// The file concerned, as the caller named it; nil for requests not tied to a file.
    public var file: String?
    /// 1-based line in a text file.
    public var line: Int?
    /// 1-based column in a text file, and its header name when there is one.
    public var column: Int?
    public var columnName: String?
    /// What is wrong, without the location.
    public var message: String

    public init(_ kind: Kind, file: String?, line: Int? = nil, column: Int? = nil,
                columnName: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
    }

    public var description: String {
        var location: [String] = []
        if let line { location.append("line \(line)") }
        if let column {
            if let columnName, !columnName.isEmpty {
                location.append("column \(column) (\"\(columnName)\")")
            } else {
                location.append("column \(column)")
            }
        }
        var prefix = file ?? ""
        if !location.isEmpty {
            prefix += prefix.isEmpty ? location.joined(separator: ", ")
                                     : ": " + location.joined(separator: ", ")
        }
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }

    public var errorDescription: String? { description }
}
