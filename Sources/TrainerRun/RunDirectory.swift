import Foundation

/// The directory a run writes into: `runs/<date-time>/` by default, so runs never overwrite
/// each other, or the directory the user names.
enum RunDirectory {
    /// Creates and returns the run directory.
    static func create(named requested: String?, now: Date = Date()) throws -> String {
        let fileManager = FileManager.default
        if let requested {
            do {
                try fileManager.createDirectory(atPath: requested, withIntermediateDirectories: true)
            } catch {
                throw ConfigError(source: "run directory", key: nil, "cannot create \(requested): \(error.localizedDescription)")
            }
            return requested
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss"
        let stamp = formatter.string(from: now)
        do {
            try fileManager.createDirectory(atPath: "runs", withIntermediateDirectories: true)
        } catch {
            throw ConfigError(source: "run directory", key: nil, "cannot create runs: \(error.localizedDescription)")
        }
        // mkdir(2) fails when the directory exists, so two runs started in the same second
        // cannot both take the same name: the second one gets the next number.
        for n in 1... {
            let candidate = n == 1 ? "runs/\(stamp)" : "runs/\(stamp)-\(n)"
            if mkdir(candidate, 0o777) == 0 { return candidate }
            guard errno == EEXIST else {
                throw ConfigError(source: "run directory", key: nil, "cannot create \(candidate): \(String(cString: strerror(errno)))")
            }
        }
        fatalError("unreachable")
    }
}
