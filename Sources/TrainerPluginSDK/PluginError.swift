/// An error with a message for the user. Throw it from `init` or a hook; the SDK hands the
/// message to the host (as the creation error, or through the host's log for a hook).
/// Any other `Error` works too: its `String(describing:)` is used.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
