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
