import TrainerData

/// What must be the same on every rank before data-parallel training starts: the run's
/// configuration (the run directory aside) and its data. Each rank describes both as text,
/// rank 0's description is broadcast, and a rank whose own differs names itself, the first
/// line that differs and both values; the job then ends before any step.
enum RankAgreement {
    /// Throws `UsageProblem` on a rank whose configuration or data differ from rank 0's.
    static func check(_ config: RunConfig, data: DataFactory.Loaded, everyRank: [String],
                      communicator: MPICommunicator) throws {
        let what: [(String, [String])] = [
            ("configuration", configurationLines(config, everyRank: everyRank)),
            ("data", dataLines(data)),
        ]
        var problems: [String] = []
        for (name, lines) in what {
            let root = communicator.broadcast(lines.joined(separator: "\n")).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard communicator.rank != 0, root != lines else { continue }
            let index = (0..<min(root.count, lines.count)).first { root[$0] != lines[$0] } ?? min(root.count, lines.count)
            let here = index < lines.count ? lines[index] : "nothing"
            let there = index < root.count ? root[index] : "nothing"
            problems.append("its \(name) differs from rank 0's: \(here) here, \(there) on rank 0")
        }
        // Every rank learns whether any rank disagrees, so that all stop here together.
        let disagreeing = communicator.sum(problems.isEmpty ? 0 : 1)
        if !problems.isEmpty {
            throw UsageProblem("on host \(communicator.host), " + problems.joined(separator: "; ")
                               + "; every rank must run the same configuration on the same data")
        }
        if disagreeing > 0 {
            throw UsageProblem("\(Int(disagreeing)) other rank(s) have another configuration or other data (they say which)")
        }
    }

    /// One line per setting, `name = value`.
    static func configurationLines(_ config: RunConfig, everyRank: [String]) -> [String] {
        var lines: [String] = []
        for child in Mirror(reflecting: config).children {
            guard let label = child.label, label != "runDirectory", label != "source" else { continue }
            lines.append("\(label) = \(canonical(child.value))")
        }
        lines.append("everyRank = \(everyRank)")
        return lines
    }

    /// A value as text that is the same in every process: dictionaries and sets sorted (their
    /// order differs from process to process), structures by their fields.
    static func canonical(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary:
            let pairs = mirror.children.map { pair -> String in
                let parts = Array(Mirror(reflecting: pair.value).children)
                return parts.count == 2 ? "\(canonical(parts[0].value)): \(canonical(parts[1].value))" : canonical(pair.value)
            }
            return "[" + pairs.sorted().joined(separator: ", ") + "]"
        case .set:
            return "[" + mirror.children.map { canonical($0.value) }.sorted().joined(separator: ", ") + "]"
        case .collection, .tuple:
            return "[" + mirror.children.map { canonical($0.value) }.joined(separator: ", ") + "]"
        case .struct, .class:
            guard !mirror.children.isEmpty else { return String(describing: value) }
            let fields = mirror.children.map { "\($0.label ?? "_"): \(canonical($0.value))" }
            return "\(mirror.subjectType)(" + fields.joined(separator: ", ") + ")"
        case .optional:
            return mirror.children.first.map { canonical($0.value) } ?? "nil"
        default:
            return String(describing: value)
        }
    }

    /// Each data set's sample count, shapes and a hash of every target and of the features of
    /// up to 4096 samples spread over it.
    static func dataLines(_ data: DataFactory.Loaded) -> [String] {
        var lines = [describe(data.training, as: "training data")]
        if let validation = data.validation { lines.append(describe(validation, as: "validation data")) }
        return lines
    }

    static func describe(_ dataset: Dataset, as name: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ values: UnsafeBufferPointer<Float>) {
            for value in values {
                hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
            }
        }
        let count = dataset.count
        let sampled = min(count, 4096)
        var features = [Float](repeating: 0, count: max(dataset.featureSize, 1))
        var target = [Float](repeating: 0, count: max(dataset.targetSize, 1))
        for i in 0..<count {
            let featuresToo = sampled > 0 && (count <= 4096 || i % (count / sampled) == 0)
            var index = i
            withUnsafePointer(to: &index) { pointer in
                features.withUnsafeMutableBufferPointer { f in
                    target.withUnsafeMutableBufferPointer { t in
                        dataset.gather(UnsafeBufferPointer(start: pointer, count: 1), features: f.baseAddress!, targets: t.baseAddress!)
                        mix(UnsafeBufferPointer(t))
                        if featuresToo { mix(UnsafeBufferPointer(f)) }
                    }
                }
            }
        }
        let hex = String(hash, radix: 16)
        return "\(name): \(count) samples of \(dataset.featureShape) with targets of \(dataset.targetShape), hash \(hex)"
    }
}
