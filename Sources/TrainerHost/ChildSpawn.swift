import Foundation

/// Starting and ending a child `trainer` (the plugin scanner, a plugin host): standard input
/// from /dev/null, chosen descriptors passed at chosen numbers and nothing else of this
/// process's, default signal actions, a process group of its own (killing the group ends
/// anything a plugin started too), and no Swift backtracer (a plugin's crash is reported by
/// its signal alone).
enum ChildSpawn {
    /// Starts `executable` with `arguments` (argv[0] excluded). `descriptors` maps descriptors
    /// of this process to the numbers the child gets them at (3, 4...). With
    /// `outputToStandardError`, the child's standard output is this process's standard error;
    /// with `outputFiles`, its standard output and error go to those two files (created 0600).
    static func spawn(executable: String, arguments: [String], descriptors: [(Int32, Int32)],
                      outputToStandardError: Bool = false,
                      outputFiles: (output: String, error: String)? = nil) throws -> pid_t {
        // A descriptor must not already be at its target (dup2 onto itself keeps close-on-exec).
        var moved: [Int32] = []
        defer { moved.forEach { close($0) } }
        for (source, _) in descriptors {
            let copy = fcntl(source, F_DUPFD_CLOEXEC, 10)
            guard copy >= 0 else { throw ScannerError("fcntl: \(String(cString: strerror(errno)))") }
            moved.append(copy)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        if let outputFiles {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outputFiles.output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, outputFiles.error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else if outputToStandardError {
            posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        }
        for (copy, (_, target)) in zip(moved, descriptors) {
            posix_spawn_file_actions_adddup2(&actions, copy, target)
        }
        // Nothing else of this process's (its own pipes, files, sockets) reaches the plugins.
        let highest = descriptors.map(\.1).max() ?? STDERR_FILENO
        _ = closeFrom?(&actions, highest + 1)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw ScannerError("\(executable): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Kills the child's process group and the child, and reaps it.
    static func killAndReap(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// The child's wait status once it has exited (reaped), or nil when it is still running at
    /// `deadline` (a `now()` time).
    static func waitForExit(_ pid: pid_t, until deadline: Double) -> Int32? {
        var status: Int32 = 0
        var pause: UInt32 = 1000
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return status }
            if done < 0 && errno != EINTR { return nil }
            if now() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34 and later), which Swift does not
    /// see without _GNU_SOURCE; nil on a C library without it.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
