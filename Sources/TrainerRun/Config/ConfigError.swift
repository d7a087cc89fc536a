/// A problem in a run's configuration, naming the file (or the command-line option) and key.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The file, or "command line".
    public var source: String
    /// The dotted key, e.g. "model.layers[1].units", or nil for the file as a whole.
    public var key: String?
    public var message: String

    public init(source: String, key: String? = nil, _ message: String) {
        self.source = source
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(source): \(key): \(message)" }
        return "\(source): \(message)"
    }
}
