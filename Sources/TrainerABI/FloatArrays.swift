/// Arrays of floats handed to C as `const float *const *` with their counts (set_weights): laid
/// end to end in one buffer, with one float more so that no pointer is NULL, valid during `body`.
public enum FloatArrays {
    public static func withPointers<R>(
        _ arrays: [[Float]], _ body: (UnsafePointer<UnsafePointer<Float>?>, UnsafePointer<Int64>) throws -> R
    ) rethrows -> R {
        let joined = Array(arrays.joined()) + [0]
        let counts = arrays.map { Int64($0.count) } + [0]
        var starts: [Int] = []
        var offset = 0
        for array in arrays {
            starts.append(offset)
            offset += array.count
        }
        return try joined.withUnsafeBufferPointer { all in
            let pointers: [UnsafePointer<Float>?] = starts.map { all.baseAddress! + $0 } + [nil]
            return try pointers.withUnsafeBufferPointer { p in
                try counts.withUnsafeBufferPointer { try body(p.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}
