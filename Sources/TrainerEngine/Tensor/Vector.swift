#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Explicit SIMD loads and stores for the elementwise kernels (optimizers, activations),
/// which the compiler does not always vectorise on its own.
typealias FloatVector = SIMD16<Float>

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always)
    func loadVector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    func storeVector(_ v: FloatVector, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: FloatVector.self)
    }
}

extension UnsafePointer where Pointee == Float {
    @inline(__always)
    func loadVector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }
}

/// Lane-wise square root with vector instructions. `SIMD.squareRoot()` computes lane by lane
/// (`sqrtss`, with a call to `sqrtf` for negative lanes), several times slower; `sqrtps` gives
/// the same correctly rounded results.
@inline(__always)
func squareRoot(_ v: FloatVector) -> FloatVector {
    #if arch(x86_64) && canImport(_Builtin_intrinsics)
    var r = FloatVector()
    withUnsafeBytes(of: v) { src in
        withUnsafeMutableBytes(of: &r) { dst in
            for q in 0..<4 {
                let x = src.loadUnaligned(fromByteOffset: q * 16, as: SIMD4<Float>.self)
                dst.storeBytes(of: _mm_sqrt_ps(x), toByteOffset: q * 16, as: SIMD4<Float>.self)
            }
        }
    }
    return r
    #else
    return v.squareRoot()
    #endif
}
