import TrainerPluginSDK

/// Keras's `update_freq`: when batch-level summaries are written.
enum UpdateFrequency: Equatable {
    /// Only epoch summaries (Keras's default).
    case epoch
    /// Batch summaries every `n` batches (`"batch"` is every batch, n = 1).
    case batches(Int)

    /// Reads the parameter as given: `"epoch"`, `"batch"`, or a positive integer written as
    /// text (the parameter is a string so that it can hold either).
    init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        switch trimmed.lowercased() {
        case "epoch": self = .epoch
        case "batch": self = .batches(1)
        default:
            guard let n = Int(trimmed), n >= 1 else {
                throw PluginError(
                    "update_freq must be \"epoch\", \"batch\" or a positive integer, not \"\(text)\"")
            }
            self = .batches(n)
        }
    }

    /// Whether the batch whose 1-based global count is `globalBatch` gets batch summaries.
    func writesBatch(_ globalBatch: Int) -> Bool {
        switch self {
        case .epoch: return false
        case .batches(let n): return globalBatch % n == 0
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
