import CTrainerKernels

/// The instruction-set levels the engine's C kernels (`CTrainerKernels`: the Winograd
/// transforms, direct convolution, max pooling, dropout masks, Adam's update) are built for, and
/// the one they run at.
///
/// On x86-64 every kernel is built at three levels: `baseline`, `avx2` (x86-64-v3: AVX2, FMA,
/// BMI2) and `avx512` (x86-64-v4: AVX-512 F, BW, CD, DQ, VL); elsewhere at `baseline` alone.
/// When the program starts, the kernels run at the highest level the CPU supports, or at the one
/// the environment variable `TRAINER_KERNELS` names (`baseline`, `avx2` or `avx512`, read once).
/// A value naming no level, or a level the CPU lacks, is refused with a warning on stderr, and
/// the highest supported level runs instead.
public enum KernelLevels {
    /// The levels this build has, lowest first.
    public static var built: [String] {
        var names: [String] = []
        while let name = trainer_kernels_level_name(Int32(names.count)) { names.append(String(cString: name)) }
        return names
    }

    /// The levels of this build that this CPU runs, lowest first.
    public static var available: [String] { built.filter { unavailability(of: $0) == nil } }

    /// The level the kernels run at.
    public static var current: String { String(cString: trainer_kernels_level()) }

    /// Nil when the kernels can run at `level` here (this build has it and the CPU supports
    /// it); otherwise why not ("this CPU lacks x86-64-v4 (...)").
    public static func unavailability(of level: String) -> String? {
        trainer_kernels_unavailable(level).map { String(cString: $0) }
    }

    /// Makes every kernel run at `level` from its next call; false, and nothing changes, when
    /// the level is unavailable. For tests and tools: call it between steps, while no kernel runs.
    @discardableResult
    public static func select(_ level: String) -> Bool {
        trainer_kernels_select(level) != 0
    }
}
