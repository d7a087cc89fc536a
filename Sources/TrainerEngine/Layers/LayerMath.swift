/// The steps Dense and Conv2D share around their matrix product.
enum LayerMath {
    /// After `out = input · kernel`: adds the bias and applies the activation (one pass for ReLU).
    /// With `logits`, the values before the activation are copied there first.
    @inline(__always)
    static func finishForward(_ out: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
                              activation: ActivationFunction, rows: Int, columns: Int,
                              logits: UnsafeMutablePointer<Float>? = nil) {
        if let bias {
            let fuseReLU = activation == .relu && logits == nil
            Kernels.addBias(bias, to: out, rows: rows, columns: columns, relu: fuseReLU)
            if !fuseReLU { applyActivation(activation, to: out, rows: rows, columns: columns, logits: logits) }
        } else {
            applyActivation(activation, to: out, rows: rows, columns: columns, logits: logits)
        }
    }

    /// Applies `activation` to `out` in place, after copying the values to `logits` if given.
    @inline(__always)
    static func applyActivation(_ activation: ActivationFunction, to out: UnsafeMutablePointer<Float>, rows: Int,
                                columns: Int, logits: UnsafeMutablePointer<Float>?) {
        logits?.update(from: out, count: rows * columns)
        activation.apply(out, rows: rows, width: columns)
    }

    /// Turns d(loss)/d(output) into d(loss)/d(pre-activation) in place (unless `activation` is
    /// nil: already done by the loss) and sums it per column into `biasGradient`.
    @inline(__always)
    static func startBackward(_ dz: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>,
                              activation: ActivationFunction?, biasGradient: UnsafeMutablePointer<Float>?,
                              rows: Int, columns: Int) {
        if activation == .relu, let biasGradient {
            Kernels.reluBackwardWithColumnSums(output: output, gradient: dz, rows: rows, columns: columns,
                                               into: biasGradient)
            return
        }
        activation?.backward(output: output, gradient: dz, rows: rows, width: columns)
        if let biasGradient {
            Kernels.columnSums(dz, rows: rows, columns: columns, into: biasGradient)
        }
    }
}
