#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An elementwise (or, for softmax, row-wise) activation: Keras's `activation=` names.
public enum ActivationFunction: String, Sendable, CaseIterable {
    case linear
    case relu
    case sigmoid
    case tanh
    case softmax

    /// Parses Keras's names (`None` and `"linear"` are the identity).
    public init?(kerasName: String) {
        let name = kerasName.lowercased()
        if name == "none" || name.isEmpty { self = .linear; return }
        self.init(rawValue: name)
    }

    /// Applies the activation in place to `rows` rows of `width` values.
    @inline(__always)
    func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        let n = rows * width
        switch self {
        case .linear:
            return
        case .relu:
            Kernels.relu(x, count: n)
        case .sigmoid:
            for i in 0..<n { x[i] = ActivationFunction.sigmoid(x[i]) }
        case .tanh:
            for i in 0..<n { x[i] = tanhf(x[i]) }
        case .softmax:
            for r in 0..<rows {
                let row = x + r * width
                var m = row[0]
                for j in 1..<max(width, 1) where row[j] > m { m = row[j] }
                var sum: Float = 0
                for j in 0..<width {
                    let e = expf(row[j] - m)
                    row[j] = e
                    sum += e
                }
                let inv = 1 / sum
                for j in 0..<width { row[j] *= inv }
            }
        }
    }

    @inline(__always)
    static func sigmoid(_ v: Float) -> Float {
        if v >= 0 { return 1 / (1 + expf(-v)) }
        let e = expf(v)
        return e / (1 + e)
    }

    /// Turns d(loss)/d(output) in `gradient` into d(loss)/d(input), in place, from the
    /// activation's output `y`.
    @inline(__always)
    func backward(output y: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                  rows: Int, width: Int) {
        let n = rows * width
        switch self {
        case .linear:
            return
        case .relu:
            Kernels.reluBackward(output: y, gradient: g, count: n)
        case .sigmoid:
            for i in 0..<n { g[i] *= y[i] * (1 - y[i]) }
        case .tanh:
            for i in 0..<n { g[i] *= 1 - y[i] * y[i] }
        case .softmax:
            for r in 0..<rows {
                let yr = y + r * width
                let gr = g + r * width
                var dot: Float = 0
                for j in 0..<width { dot += gr[j] * yr[j] }
                for j in 0..<width { gr[j] = yr[j] * (gr[j] - dot) }
            }
        }
    }
}
