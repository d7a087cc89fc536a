/// An error of the test harness itself: a plugin that cannot be loaded, a `create` that
/// failed, a child process that exited with an error. Its description is the message to show.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
