import CTrainerGuard
import Foundation

/// Marks the host's calls into plugins for the crash, exit() and timeout reports of
/// `trainer_guard.h`: while a call is marked, a crash of the process names the plugin and the
/// hook it was in. Names are C strings made once and kept for the life of the process (a
/// signal handler may read them at any moment).
enum GuardedCall {
    /// The id of a plugin as a C string, made once per id.
    static func name(_ id: String) -> UnsafePointer<CChar> {
        lock.lock()
        defer { lock.unlock() }
        if let made = names[id] { return made }
        let made = UnsafePointer(strdup(id)!)
        names[id] = made
        return made
    }

    /// A static string as the C string it is in the binary (NUL-terminated, never freed).
    static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    nonisolated(unsafe) private static var names: [String: UnsafePointer<CChar>] = [:]
    private static let lock = NSLock()

    /// Runs `body` as a marked call of plugin `id` into `entry` ("create", "save_state"...).
    @inline(__always)
    static func run<R>(_ id: String, _ entry: StaticString, _ body: () throws -> R) rethrows -> R {
        trainer_guard_enter(name(id), cString(entry))
        defer { trainer_guard_leave() }
        return try body()
    }
}

extension PluginHook {
    /// The hook's C name ("on_epoch_end"), for the guard: a C string made once, found without
    /// building anything, as dispatch needs it on every call.
    var guardName: UnsafePointer<CChar> { cName }
}
