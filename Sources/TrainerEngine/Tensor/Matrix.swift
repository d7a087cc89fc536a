import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum Matrix {
    /// C[m, n] = alpha * op(A) * op(B) + beta * C, all row-major, where op(A) is [m, k] and
    /// op(B) is [k, n]. `lda`, `ldb` are the row strides of A and B as stored.
    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(n))
    }
}

/// Tuning knobs for the numeric kernels.
public enum EngineThreads {
    /// Sets how many threads OpenBLAS may use for matrix products.
    public static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// OpenBLAS's current thread count.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}
