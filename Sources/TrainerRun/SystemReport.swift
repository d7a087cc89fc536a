#if canImport(Glibc)
import Glibc
#endif
import CTrainerPlugin
import Foundation
import TrainerEngine
import TrainerHost

/// What `trainer system` prints: the version, the plugin ABI, and what the engine
/// computes with on this machine (the BLAS library and its kernel core, threads, the level of the
/// engine's own C kernels, the CPU). The benchmark prints it above its table.
public enum SystemReport {
    /// The one-line version.
    public static var version: String { "trainer \(TrainerVersion.current)" }

    /// The version line, then one `name: value` line per fact.
    public static func lines() -> [String] {
        BLASLibrary.chooseCore()
        let blasCore: String
        switch BLASLibrary.choice {
        case .library: blasCore = "\(BLASLibrary.core) (OpenBLAS's own choice for this CPU)"
        case .environment(let value): blasCore = "\(BLASLibrary.core) (OPENBLAS_CORETYPE=\(value) in the environment)"
        case .raised(let from): blasCore = "\(BLASLibrary.core) (chosen by the CPU's features; OpenBLAS had chosen \(from))"
        case .unchanged(let reason): blasCore = "\(BLASLibrary.core) (\(reason))"
        }
        let built = KernelLevels.built.joined(separator: ", ")
        let runnable = KernelLevels.available.joined(separator: ", ")
        return [
            version,
            "plugin ABI: \(TRAINER_ABI_MAJOR).\(TRAINER_ABI_MINOR)",
            "BLAS: \(BLASLibrary.configuration)",
            "BLAS core: \(blasCore)",
            "BLAS threads: up to \(EngineThreads.maxBLASThreads), for products of \(EngineThreads.parallelWorkThreshold) multiply-adds or more (smaller ones run on one thread)",
            "step threads: \(EngineThreads.stepThreads)\(getenv("TRAINER_THREADS") != nil ? " (TRAINER_THREADS)" : " (cores online, at most 8; TRAINER_THREADS sets it)")",
            "C kernels: \(KernelLevels.current) (built: \(built); this CPU runs: \(runnable))",
            "CPU: \(cpuModel), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores online",
        ]
    }

    /// The CPU's model name from /proc/cpuinfo, or "unknown".
    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}
