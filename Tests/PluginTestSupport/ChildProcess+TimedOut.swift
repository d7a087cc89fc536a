import Foundation

extension ChildProcess {
    /// A program that did not finish within its time limit and was killed: the command, the
    /// limit, and what it had printed by then. Its description is the message to show.
    public struct TimedOut: Error, CustomStringConvertible {
        /// The command: the program, then its arguments.
        public let arguments: [String]
        /// The time limit, in seconds.
        public let timeout: TimeInterval
        /// True when the program itself ended in time but something it started still held its
        /// output open at the limit; false when the program was still running and was killed.
        public let exited: Bool
        /// Standard output so far (standard error too when merged into it).
        public let output: String
        /// Standard error so far, when captured apart.
        public let errors: String

        public var description: String {
            let what = exited ? "ended, but what it started still held its output open" : "was still running"
            var message = "\(ChildProcess.command(arguments)) \(what) after the time limit of "
                + "\(Self.seconds(timeout)) s and was killed (SIGKILL)"
            for (name, text) in [("standard output", output), ("standard error", errors)] where !text.isEmpty {
                message += "\n--- \(name) so far ---\n" + Self.tail(text)
            }
            if output.isEmpty && errors.isEmpty { message += "; it had printed nothing" }
            return message
        }

        /// "300" for whole seconds, "0.5" otherwise.
        private static func seconds(_ value: TimeInterval) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }

        /// The last 8000 characters of a long text, marked as cut.
        private static func tail(_ text: String) -> String {
            text.count <= 8000 ? text : "[... \(text.count - 8000) characters before]\n" + text.suffix(8000)
        }
    }
}
