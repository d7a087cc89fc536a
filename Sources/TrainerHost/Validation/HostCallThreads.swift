import Foundation

/// The threads plugins call the host table from, recorded while `recording` is on (only in a
/// validator's `threads` check): the host's hooks run on one thread, and a plugin calling the
/// host from another races with the run.
enum HostCallThreads {
    nonisolated(unsafe) static var recording = false
    nonisolated(unsafe) private static var seen: Set<pthread_t> = []
    private static let lock = NSLock()

    /// The calling thread.
    static func current() -> pthread_t { pthread_self() }

    /// Notes the calling thread, when recording.
    @inline(__always)
    static func note() {
        guard recording else { return }
        let thread = current()
        lock.lock()
        seen.insert(thread)
        lock.unlock()
    }

    static func start() {
        lock.lock()
        seen = []
        lock.unlock()
        recording = true
    }

    /// Stops recording; the threads seen.
    static func stop() -> Set<pthread_t> {
        recording = false
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}
