#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS

/// The BLAS library the engine's matrix products run on (OpenBLAS), and the kernel core it uses.
///
/// OpenBLAS built with `DYNAMIC_ARCH` (Debian's is) picks its kernels by the CPU's model number
/// when it loads. A model newer than the library (a current Xeon under Debian 12's 0.3.21) gets the
/// generic `Prescott` kernels, SSE3 only, and the products run two to three times slower than
/// with the AVX-512 kernels the CPU can run. ``chooseCore()`` decides by the CPU's features
/// instead: when OpenBLAS's own choice is below what the CPU runs (AVX-512 F/BW/CD/DQ/VL:
/// `SkylakeX`; AVX2 and FMA: `Haswell`), it makes OpenBLAS load that core's kernels before any
/// product runs. It never lowers OpenBLAS's choice, and an `OPENBLAS_CORETYPE` set in the
/// environment always wins.
public enum BLASLibrary {
    /// How the running core was chosen.
    public enum CoreChoice: Equatable, Sendable {
        /// OpenBLAS's own detection, kept (it is as good as the CPU's features allow).
        case library
        /// `OPENBLAS_CORETYPE` in the environment.
        case environment(String)
        /// Raised from OpenBLAS's detection (`from`) to the core the CPU's features allow.
        case raised(from: String)
        /// OpenBLAS's detection is below what the CPU runs, but this build of OpenBLAS cannot be
        /// told to change it (not `DYNAMIC_ARCH`, or the switch did not take): why.
        case unchanged(reason: String)
    }

    /// The kernel core OpenBLAS uses now ("Haswell", "SkylakeX", "Zen", "Prescott", ...).
    public static var core: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build line ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64").
    public static var configuration: String {
        String(cString: openblas_get_config()).trimmingSpaces
    }

    /// The library's version ("0.3.21"), read from its build line.
    public static var version: String {
        let words = configuration.split(separator: " ")
        return words.count > 1 && words[0] == "OpenBLAS" ? String(words[1]) : "unknown"
    }

    /// What ``chooseCore()`` decided; `.library` before it runs.
    public private(set) static var choice: CoreChoice = .library

    private static var chosen = false

    /// Makes OpenBLAS use the best kernels the CPU's features allow (see the type's notes). Call it
    /// once at start-up, before the first matrix product; later calls do nothing.
    public static func chooseCore() {
        guard !chosen else { return }
        chosen = true
        if let set = getenv("OPENBLAS_CORETYPE"), set.pointee != 0 {
            choice = .environment(String(cString: set))
            return
        }
        let detected = core
        guard let wanted = coreToRaise(detected: detected, cpuLevel: cpuLevel) else { return }
        choice = switchCore(to: wanted)
            ? .raised(from: detected)
            : .unchanged(reason: "OpenBLAS chose \(detected); this CPU runs \(wanted), but this OpenBLAS cannot switch cores")
    }

    /// The instruction-set level of this CPU as OpenBLAS's cores are grouped: 3 for AVX-512
    /// (x86-64-v4), 2 for AVX2 and FMA (x86-64-v3), 0 otherwise (no raise is made below AVX2).
    /// The same detection as the engine's own kernels (`KernelLevels`), which also checks that
    /// the operating system saves the wider registers.
    static var cpuLevel: Int {
        if KernelLevels.unavailability(of: "avx512") == nil { return 3 }
        if KernelLevels.unavailability(of: "avx2") == nil { return 2 }
        return 0
    }

    /// The level of OpenBLAS's x86-64 core `name` on the same scale as ``cpuLevel``: 3 for the
    /// AVX-512 cores, 2 for the AVX2 ones, 1 for the AVX ones, 0 for the rest (SSE-era and
    /// generic cores, and names this table does not know).
    static func level(ofCore name: String) -> Int {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return 1
        default: return 0
        }
    }

    /// The core to load instead of `detected` on a CPU of `cpuLevel`, or nil to keep it.
    static func coreToRaise(detected: String, cpuLevel: Int) -> String? {
        let wanted: String
        switch cpuLevel {
        case 3...: wanted = "SkylakeX"
        case 2: wanted = "Haswell"
        default: return nil
        }
        return level(ofCore: detected) < level(ofCore: wanted) ? wanted : nil
    }

    /// Re-runs OpenBLAS's core selection with `OPENBLAS_CORETYPE=name` (its exported
    /// `gotoblas_dynamic_quit` / `gotoblas_dynamic_init`, present in every `DYNAMIC_ARCH` build),
    /// then removes the variable again so child processes detect for themselves. True when the
    /// library now runs `name`. Only while no product runs (start-up, or a test between products).
    @discardableResult
    static func switchCore(to name: String) -> Bool {
        guard let handle = dlopen(nil, RTLD_NOW),
              let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialise = dlsym(handle, "gotoblas_dynamic_init") else { return false }
        typealias Entry = @convention(c) () -> Void
        let previous = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        setenv("OPENBLAS_CORETYPE", name, 1)
        unsafeBitCast(quit, to: Entry.self)()
        unsafeBitCast(initialise, to: Entry.self)()
        if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        return core.lowercased() == name.lowercased()
    }
}

private extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
