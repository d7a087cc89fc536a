import Foundation
import Logging

/// Prints log messages for a person at a terminal. A plugin's message (metadata "plugin", what
/// `host->log` sends) goes to standard error at every level, as one line prefixed with the
/// plugin's id and, but for information, the level: "EarlyStopping: Epoch 5: early stopping",
/// "warning: EarlyStopping: ...", "debug: ...", "error: ...". Standard output keeps what the
/// host itself prints (the progress bar, summaries, JSON answers). The host's own information
/// goes to standard output as is, its warnings and errors to standard error.
public struct ConsoleLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    /// Send information to standard error too (when standard output carries data, e.g. JSON).
    public var informationToStandardError = false

    public init(label: String, level: Logger.Level = .info) {
        logLevel = level
    }

    /// A logger whose every message goes to standard error.
    public static func standardErrorLogger(label: String) -> Logger {
        Logger(label: label) { label in
            var handler = ConsoleLogHandler(label: label)
            handler.informationToStandardError = true
            return handler
        }
    }

    /// Installs the handler for the whole process (call once, first thing).
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let plugin = event.metadata?["plugin"]
        let source = plugin.map { "\($0): " } ?? ""
        switch event.level {
        case .trace, .debug:
            Console.standardError("debug: \(source)\(event.message)")
        case .info, .notice:
            if informationToStandardError || plugin != nil {
                Console.standardError("\(source)\(event.message)")
            } else {
                Console.standardOutput("\(event.message)")
            }
        case .warning:
            Console.standardError("warning: \(source)\(event.message)")
        case .error, .critical:
            Console.standardError("error: \(source)\(event.message)")
        }
    }
}

/// Line output that reaches the terminal promptly and in order with plugins' own output.
public enum Console {
    public static func standardOutput(_ line: String) {
        fflush(stdout)
        FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
    }

    public static func standardError(_ line: String) {
        fflush(stdout)
        FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
    }
}
