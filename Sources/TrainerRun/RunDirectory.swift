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
        var candidate = "runs/\(stamp)"
        var n = 1
        while fileManager.fileExists(atPath: candidate) {
            n += 1
            candidate = "runs/\(stamp)-\(n)"
        }
        do {
            try fileManager.createDirectory(atPath: candidate, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(source: "run directory", key: nil, "cannot create \(candidate): \(error.localizedDescription)")
        }
        return candidate
    }
}
