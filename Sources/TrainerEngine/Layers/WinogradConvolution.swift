import CTrainerKernels

/// A 3×3, stride-1 convolution's three passes by Winograd's F(4×4, 3×3): each 4×4 output block
/// comes from a 6×6 input tile, and the channel mixing becomes 36 matrix products per pass,
/// `[tiles, in] · [in, out]`, a quarter of im2col's multiply-adds. The tile transforms are in
/// `CTrainerKernels` (winograd.c, with the matrices).
///
/// Tiles are numbered sample by sample, so a part of a batch (a range of samples) owns a range
/// of rows in every position's matrix. The transformed input of the last forward pass is kept
/// for the kernel gradient. Every buffer is sized once for the layer's largest batch.
final class WinogradConvolution {
    let channels: Int, filters: Int
    /// Tiles of the largest batch: the rows of each position's matrix.
    let maxTiles: Int
    let parts: Int
    private let tilesPerSample: Int
    private static let positions = 36

    /// G g Gᵀ: `[36][in][out]`.
    private let kernelTransform: FloatBuffer
    /// Bᵀ d B of the last forward batch: `[36][maxTiles][in]`. The backward pass turns a part's
    /// rows into their gradient once the kernel gradient no longer needs them.
    private let inputTransform: FloatBuffer
    /// The 36 products (forward), or their gradient A dY Aᵀ (backward): `[36][maxTiles][out]`.
    private let products: FloatBuffer
    /// Each part's kernel-transform gradient: `[parts][36][in][out]`.
    private let kernelTransformGradients: FloatBuffer
    /// Zeros, then one discard row per part (see `trainer_winograd_shape`).
    private let edges: FloatBuffer
    private let shape: trainer_winograd_shape

    /// Whether a convolution can run by F(4×4, 3×3): a 3×3 kernel at stride 1 (any padding).
    static func fits(kernel: (Int, Int), strides: (Int, Int)) -> Bool {
        kernel == (3, 3) && strides == (1, 1)
    }

    /// Whether it also gains from it: at least 8 input channels (with fewer, im2col's product is
    /// small and this method's transforms would cost more than the multiplications they save).
    static func applies(kernel: (Int, Int), strides: (Int, Int), channels: Int) -> Bool {
        fits(kernel: kernel, strides: strides) && channels >= 8
    }

    init(channels: Int, filters: Int, geometry g: WindowGeometry, maxBatch: Int, parts: Int) {
        self.channels = channels
        self.filters = filters
        self.parts = parts
        let tileRows = (g.outputHeight + 3) / 4, tileColumns = (g.outputWidth + 3) / 4
        tilesPerSample = tileRows * tileColumns
        maxTiles = maxBatch * tilesPerSample
        let positions = Self.positions
        kernelTransform = FloatBuffer(count: positions * channels * filters)
        inputTransform = FloatBuffer(count: positions * maxTiles * channels)
        products = FloatBuffer(count: positions * maxTiles * filters)
        kernelTransformGradients = FloatBuffer(count: parts * positions * channels * filters)
        let row = max(channels, filters)
        edges = FloatBuffer(count: (1 + parts) * row)
        shape = trainer_winograd_shape(
            input_height: Int32(g.inputHeight), input_width: Int32(g.inputWidth), channels: Int32(channels),
            output_height: Int32(g.outputHeight), output_width: Int32(g.outputWidth), filters: Int32(filters),
            pad_top: Int32(g.padTop), pad_left: Int32(g.padLeft),
            tile_rows: Int32(tileRows), tile_columns: Int32(tileColumns),
            zeros: UnsafePointer(edges.pointer), discard: nil)
    }

    /// The shape with part `part`'s discard row.
    @inline(__always)
    private func shape(part: Int) -> trainer_winograd_shape {
        var s = shape
        s.discard = edges.pointer + (1 + part) * max(channels, filters)
        return s
    }

    // MARK: Forward

    /// G g Gᵀ for part `part` of `parts` of the kernel's elements (`[3][3][in][out]`).
    func transformKernel(_ kernel: UnsafePointer<Float>, part: Int) {
        let stride = channels * filters
        let range = Parallel.range(of: stride, part: part, parts: parts, alignment: 16)
        trainer_winograd_kernel(kernel, stride, range.lowerBound, range.upperBound, kernelTransform.pointer)
    }

    /// The convolution of `samples` of `input` (NHWC) plus `bias`, through ReLU when `relu`, into
    /// `output` (NHWC, the whole batch's buffer). Needs `transformKernel` first.
    func forward(_ input: UnsafePointer<Float>, samples: Range<Int>, part: Int, bias: UnsafePointer<Float>?,
                 relu: Bool, into output: UnsafeMutablePointer<Float>) {
        let c = channels, f = filters
        let vStride = maxTiles * c, mStride = maxTiles * f
        let v = inputTransform.pointer, m = products.pointer, u = UnsafePointer(kernelTransform.pointer)
        var s = shape(part: part)
        let first = Int32(samples.lowerBound), count = Int32(samples.count)
        trainer_winograd_input(&s, input, first, count, v, vStride)
        let t0 = samples.lowerBound * tilesPerSample, tiles = samples.count * tilesPerSample
        for xi in 0..<Self.positions {
            Matrix.multiplyPart(v + xi * vStride + t0 * c, lda: c, u + xi * c * f, ldb: f,
                                into: m + xi * mStride + t0 * f, ldc: f, m: tiles, n: f, k: c)
        }
        trainer_winograd_output(&s, m, mStride, first, count, bias, relu ? 1 : 0, output)
    }

    // MARK: Backward

    /// For `samples`, from the output gradient `dz` (NHWC; taken through ReLU first when
    /// `reluOutput`, the layer's ReLU output, is given): this part's kernel-transform gradient,
    /// the bias gradient into `biasGradient` and, when `inputGradient` is given, d(loss)/d(input)
    /// for these samples (all overwritten). Needs the forward pass of the same batch.
    func backward(_ dz: UnsafePointer<Float>, reluOutput: UnsafePointer<Float>?, samples: Range<Int>, part: Int,
                  biasGradient: UnsafeMutablePointer<Float>?, inputGradient dx: UnsafeMutablePointer<Float>?) {
        let c = channels, f = filters
        let vStride = maxTiles * c, mStride = maxTiles * f
        let v = inputTransform.pointer, m = products.pointer, u = UnsafePointer(kernelTransform.pointer)
        let dU = kernelTransformGradients.pointer + part * Self.positions * c * f
        guard !samples.isEmpty else {
            dU.update(repeating: 0, count: Self.positions * c * f)
            biasGradient?.update(repeating: 0, count: f)
            return
        }
        var s = shape(part: part)
        let first = Int32(samples.lowerBound), count = Int32(samples.count)
        trainer_winograd_output_gradient(&s, dz, reluOutput, first, count, m, mStride, biasGradient)
        let t0 = samples.lowerBound * tilesPerSample, tiles = samples.count * tilesPerSample
        for xi in 0..<Self.positions {
            let vRows = v + xi * vStride + t0 * c, mRows = m + xi * mStride + t0 * f
            // dU(ξ)[in, out] = V(ξ)ᵀ · dM(ξ) over this part's tiles.
            Matrix.multiplyPart(vRows, transposeA: true, lda: c, mRows, ldb: f, into: dU + xi * c * f, ldc: f,
                                m: c, n: f, k: tiles)
            guard dx != nil else { continue }
            // dV(ξ)[tiles, in] = dM(ξ) · U(ξ)ᵀ, over V(ξ)'s rows (used above for the last time).
            Matrix.multiplyPart(mRows, lda: f, u + xi * c * f, transposeB: true, ldb: f, into: vRows, ldc: c,
                                m: tiles, n: c, k: f)
        }
        if let dx { trainer_winograd_input_gradient(&s, v, vStride, first, count, dx) }
    }

    /// Gᵀ dU G of the parts' kernel-transform gradients (summed in part order), for part
    /// `part` of `parts` of the kernel's elements, into `kernelGradient` (`[3][3][in][out]`).
    func finishKernelGradient(into kernelGradient: UnsafeMutablePointer<Float>, part: Int) {
        let stride = channels * filters, slab = Self.positions * stride
        let range = Parallel.range(of: stride, part: part, parts: parts, alignment: 16)
        let sums = kernelTransformGradients.pointer
        for p in 1..<max(parts, 1) {
            for xi in 0..<Self.positions {
                let at = xi * stride + range.lowerBound
                Kernels.add(sums + p * slab + at, to: sums + at, count: range.count)
            }
        }
        trainer_winograd_kernel_gradient(sums, stride, range.lowerBound, range.upperBound, kernelGradient)
    }
}
