#if canImport(Glibc)
import Glibc
#endif

/// Flushes denormal floats to zero on this thread while training runs (as TensorFlow does):
/// weights whose gradients are zero decay into the denormal range under Adam's moments, and
/// arithmetic on denormals is many times slower. `restore()` puts the previous mode back.
struct FlushDenormals {
    #if canImport(Glibc) && arch(x86_64)
    private var saved = fenv_t()

    init() {
        fegetenv(&saved)
        var env = saved
        env.__mxcsr |= 0x8040 // FTZ (bit 15) and DAZ (bit 6)
        fesetenv(&env)
    }

    func restore() {
        var env = saved
        fesetenv(&env)
    }
    #else
    init() {}
    func restore() {}
    #endif
}
