import Foundation

/// The directory a run writes into: `runs/<date-time>/` by default, so runs never overwrite
/// each other, or the directory the user names. It is created, and found writable, before
/// anything else happens; the directories created for it are removed again when a command
/// ends without writing into them.
struct RunDirectory {
    let path: String
    /// The directories created for this one (it included), outermost first.
    private(set) var created: [String] = []

    /// Where a run directory was asked for, as messages name it: a file and key ("run.toml",
    /// "run_dir"), the command line ("command line", "--run-dir"), or the default.
    typealias Origin = (source: String, key: String?)

    /// Creates the run directory (`requested`, else a new `runs/<date-time>`) and checks a
    /// file can be written into it.
    ///
    /// - Throws: `ConfigError` naming the origin and the path when a part of the path is a
    ///   file, cannot be created, or the directory cannot be written into.
    static func create(named requested: String?, origin: Origin = ("run directory", nil), now: Date = Date()) throws -> RunDirectory {
        if let requested {
            var directory = RunDirectory(path: requested)
            try directory.makeWithParents(origin: origin)
            do { try directory.checkWritable(origin: origin) } catch {
                directory.removeIfEmpty()
                throw error
            }
            return directory
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss"
        let stamp = formatter.string(from: now)
        var runs = RunDirectory(path: "runs")
        try runs.makeWithParents(origin: origin)
        // mkdir(2) fails when the directory exists, so two runs started in the same second
        // cannot both take the same name: the second one gets the next number.
        for n in 1... {
            let candidate = n == 1 ? "runs/\(stamp)" : "runs/\(stamp)-\(n)"
            if mkdir(candidate, 0o777) == 0 {
                var directory = RunDirectory(path: candidate, created: runs.created + [candidate])
                do { try directory.checkWritable(origin: origin) } catch {
                    directory.removeIfEmpty()
                    throw error
                }
                return directory
            }
            let code = errno
            if code == ENOENT, n < 4 {
                // Another command removed an empty runs/ in between: make it again.
                try runs.makeWithParents(origin: origin)
                continue
            }
            guard code == EEXIST else {
                throw ConfigError(source: origin.source, key: origin.key, "cannot create \(candidate): \(describe(code))")
            }
        }
        fatalError("unreachable")
    }

    /// Removes the directories created for this one, innermost first, as long as they are
    /// empty (rmdir(2) removes nothing else).
    func removeIfEmpty() {
        for directory in created.reversed() where rmdir(directory) != 0 { return }
    }

    /// Makes `path` and every missing directory above it, recording those it made.
    private mutating func makeWithParents(origin: Origin) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            var status = stat()
            if stat(prefix, &status) == 0 {
                guard (status.st_mode & S_IFMT) == S_IFDIR else {
                    removeIfEmpty()
                    throw ConfigError(source: origin.source, key: origin.key, "cannot create \(path): \(prefix) is a file, not a directory")
                }
                continue
            }
            if mkdir(prefix, 0o777) == 0 {
                created.append(prefix)
            } else if errno != EEXIST {
                let code = errno
                removeIfEmpty()
                throw ConfigError(source: origin.source, key: origin.key, "cannot create \(path): \(describe(code))")
            }
        }
    }

    /// Writes and removes a probe file: a directory that is read-only (or on a read-only
    /// file system) is found before the first step, not when the first file is due.
    private func checkWritable(origin: Origin) throws {
        let probe = (path as NSString).appendingPathComponent(".trainer-write-check-\(getpid())")
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigError(source: origin.source, key: origin.key, "cannot write into \(path): \(RunDirectory.describe(errno))")
        }
        close(descriptor)
        unlink(probe)
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    private func describe(_ code: Int32) -> String { RunDirectory.describe(code) }
}
