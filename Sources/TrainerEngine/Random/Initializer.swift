/// How a weight tensor gets its first values (Keras's `kernel_initializer` and friends).
public enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    /// Keras's GlorotUniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).
    case glorotUniform
    /// Keras's HeUniform: U(-limit, limit), limit = sqrt(6 / fan_in).
    case heUniform

    /// Fills `parameter` using `rng`. Fans follow Keras: for a kernel of shape
    /// `[..receptive field.., in, out]`, fan_in = in * field, fan_out = out * field.
    func fill(_ parameter: Parameter, rng: inout SplitMix64) {
        let p = parameter.value
        let n = parameter.count
        switch self {
        case .zeros:
            p.update(repeating: 0, count: n)
        case .ones:
            p.update(repeating: 1, count: n)
        case .glorotUniform, .heUniform:
            let (fanIn, fanOut) = Initializer.fans(parameter.shape)
            let limit: Double = self == .glorotUniform
                ? (6.0 / Double(max(1, fanIn + fanOut))).squareRoot()
                : (6.0 / Double(max(1, fanIn))).squareRoot()
            for i in 0..<n {
                p[i] = Float((rng.nextDouble() * 2 - 1) * limit)
            }
        }
    }

    /// Keras's `compute_fans`.
    static func fans(_ shape: [Int]) -> (Int, Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let field = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * field, shape[shape.count - 1] * field)
        }
    }
}
