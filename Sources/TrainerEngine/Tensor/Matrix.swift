import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum Matrix {
    /// C[m, n] = alpha * op(A) * op(B) + beta * C, all row-major, where op(A) is [m, k] and
    /// op(B) is [k, n].
    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        EngineThreads.prepare(work: m * n * k)
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(n))
    }

    /// The same product with explicit leading dimensions (for parts of larger matrices), on
    /// the calling thread only: for the parts of a `Parallel.run`, after
    /// `EngineThreads.useOneBLASThread()`.
    @inline(__always)
    static func multiplyPart(
        _ a: UnsafePointer<Float>, transposeA: Bool = false, lda: Int,
        _ b: UnsafePointer<Float>, transposeB: Bool = false, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, threaded: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        if threaded { EngineThreads.prepare(work: m * n * k) }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
}

/// How many threads OpenBLAS may use. Products of a typical batch are small, and for them
/// starting a second thread costs more than it saves; so products below
/// `parallelWorkThreshold` multiply-adds run on one thread and larger ones on up to
/// `maxBLASThreads`.
public enum EngineThreads {
    /// Upper bound on OpenBLAS threads for large products (default: OpenBLAS's own count,
    /// i.e. the machine's cores or `OPENBLAS_NUM_THREADS`, read once before the engine sets
    /// any count of its own).
    public static var maxBLASThreads: Int = Int(openblas_get_num_threads())
    /// Multiply-adds (m·n·k) from which a product may use more than one thread.
    public static var parallelWorkThreshold = 32_000_000
    private static var current = -1

    @inline(__always)
    static func prepare(work: Int) {
        // Read first, so that its lazy initialisation sees OpenBLAS's own count rather than
        // the 1 set below for a small product.
        let most = maxBLASThreads
        let wanted = work >= parallelWorkThreshold ? max(1, most) : 1
        if wanted != current {
            openblas_set_num_threads(Int32(wanted))
            current = wanted
        }
    }

    /// Keeps OpenBLAS on the calling thread (before products run in `Parallel` parts).
    @inline(__always)
    static func useOneBLASThread() { prepare(work: 0) }

    /// Sets the upper bound on OpenBLAS threads (1 keeps every product on the calling thread).
    public static func setBLASThreads(_ count: Int) {
        maxBLASThreads = max(1, count)
        current = -1
    }
}

extension EngineThreads {
    /// Threads a training step splits its own work over (the caller included): the cores
    /// online, at most 8, or `TRAINER_THREADS`.
    public static var stepThreads: Int { Parallel.threadCount }
}
