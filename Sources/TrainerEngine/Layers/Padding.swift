/// Keras's `padding=` for convolutions and pooling.
public enum Padding: String, Sendable {
    /// No padding: windows stay inside the input.
    case valid
    /// Zero padding so that the output is `ceil(input / stride)`, split as TensorFlow does
    /// (the extra row or column at the end).
    case same
}

/// Where a 2-D sliding window goes: output size and padding along each axis.
struct WindowGeometry: Equatable {
    let inputHeight, inputWidth: Int
    let kernelHeight, kernelWidth: Int
    let strideHeight, strideWidth: Int
    let outputHeight, outputWidth: Int
    let padTop, padLeft: Int

    init?(inputHeight: Int, inputWidth: Int, kernel: (Int, Int), strides: (Int, Int), padding: Padding) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = strides
        guard kernelHeight > 0, kernelWidth > 0, strideHeight > 0, strideWidth > 0 else { return nil }
        func axis(_ size: Int, _ k: Int, _ s: Int) -> (Int, Int) {
            switch padding {
            case .valid:
                return (size >= k ? (size - k) / s + 1 : 0, 0)
            case .same:
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + k - size, 0)
                return (out, total / 2)
            }
        }
        (outputHeight, padTop) = axis(inputHeight, kernelHeight, strideHeight)
        (outputWidth, padLeft) = axis(inputWidth, kernelWidth, strideWidth)
        guard outputHeight > 0, outputWidth > 0 else { return nil }
    }
}
