/// A problem with what the user asked for (configuration, data files, plugin settings):
/// nothing was trained. The command exits with status 2.
public struct UsageProblem: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// Runs `body`, turning any error it throws into a UsageProblem with the same message.
    public static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let problem as UsageProblem { throw problem } catch {
            throw UsageProblem("\(error)")
        }
    }
}

/// Training started and could not finish (a plugin failed, weights could not be written...).
/// The command exits with status 1; what was written before stays in place.
public struct TrainingFailure: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Training was interrupted by SIGINT (Ctrl-C) or SIGTERM after a batch finished; what could
/// be saved was saved. The command exits with status 128 + the signal (130, 143).
public struct RunInterrupted: Error, CustomStringConvertible {
    public var signal: Int32
    public var description: String

    public init(signal: Int32, description: String) {
        self.signal = signal
        self.description = description
    }
}
