/// Unrolls convolution windows into rows ("im2col") so a convolution becomes one matrix
/// product, and folds row gradients back ("col2im").
///
/// For NHWC input, row `(n, oh, ow)` holds the window's values ordered `(kh, kw, channel)`,
/// which matches a Keras kernel `[kh, kw, in, out]` read as a `[kh * kw * in, out]` matrix.
enum Im2Col {
    static func unroll(_ x: UnsafePointer<Float>, batch: Int, channels c: Int, geometry g: WindowGeometry,
                       into cols: UnsafeMutablePointer<Float>) {
        let k = g.kernelHeight * g.kernelWidth * c
        let sampleSize = g.inputHeight * g.inputWidth * c
        var row = cols
        if insideInput(g) {
            // Every window lies inside the input ("valid" padding): no bounds to check.
            let run = g.kernelWidth * c, line = g.inputWidth * c
            for n in 0..<batch {
                let sample = x + n * sampleSize
                for oh in 0..<g.outputHeight {
                    let top = sample + oh * g.strideHeight * line
                    for ow in 0..<g.outputWidth {
                        let corner = top + ow * g.strideWidth * c
                        for ki in 0..<g.kernelHeight {
                            copy(corner + ki * line, to: row + ki * run, count: run)
                        }
                        row += k
                    }
                }
            }
            return
        }
        for n in 0..<batch {
            let sample = x + n * sampleSize
            for oh in 0..<g.outputHeight {
                let top = oh * g.strideHeight - g.padTop
                for ow in 0..<g.outputWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    var dst = row
                    for ki in 0..<g.kernelHeight {
                        let ih = top + ki
                        if ih < 0 || ih >= g.inputHeight {
                            dst.update(repeating: 0, count: g.kernelWidth * c)
                            dst += g.kernelWidth * c
                            continue
                        }
                        let line = sample + ih * g.inputWidth * c
                        // Copy the in-bounds run of the window in one go.
                        let first = min(max(0, -left), g.kernelWidth), last = min(g.kernelWidth, g.inputWidth - left)
                        if first > 0 { dst.update(repeating: 0, count: first * c) }
                        if last > first {
                            copy(line + (left + first) * c, to: dst + first * c, count: (last - first) * c)
                        }
                        if last < g.kernelWidth {
                            (dst + max(last, first) * c).update(repeating: 0, count: (g.kernelWidth - max(last, first)) * c)
                        }
                        dst += g.kernelWidth * c
                    }
                    row += k
                }
            }
        }
    }

    /// Whether every window lies inside the input (no padding reached).
    @inline(__always)
    static func insideInput(_ g: WindowGeometry) -> Bool {
        g.padTop == 0 && g.padLeft == 0
            && (g.outputHeight - 1) * g.strideHeight + g.kernelHeight <= g.inputHeight
            && (g.outputWidth - 1) * g.strideWidth + g.kernelWidth <= g.inputWidth
    }

    /// Copies `n` floats inline: the runs are short (a window row: 3 floats for a 3×3 kernel on
    /// one channel), where a call to memmove costs more than the copy.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + FloatVector.scalarCount <= n {
            dst.storeVector(src.loadVector(at: i), at: i)
            i += FloatVector.scalarCount
        }
        while i < n {
            dst[i] = src[i]
            i += 1
        }
    }

    /// Adds each row of `cols` back onto the input positions it came from; `dx` is zeroed first.
    static func fold(_ cols: UnsafePointer<Float>, batch: Int, channels c: Int, geometry g: WindowGeometry,
                     into dx: UnsafeMutablePointer<Float>) {
        let k = g.kernelHeight * g.kernelWidth * c
        let sampleSize = g.inputHeight * g.inputWidth * c
        dx.update(repeating: 0, count: batch * sampleSize)
        var row = cols
        if insideInput(g) {
            let run = g.kernelWidth * c, line = g.inputWidth * c
            for n in 0..<batch {
                let sample = dx + n * sampleSize
                for oh in 0..<g.outputHeight {
                    let top = sample + oh * g.strideHeight * line
                    for ow in 0..<g.outputWidth {
                        let corner = top + ow * g.strideWidth * c
                        for ki in 0..<g.kernelHeight {
                            Kernels.add(row + ki * run, to: corner + ki * line, count: run)
                        }
                        row += k
                    }
                }
            }
            return
        }
        for n in 0..<batch {
            let sample = dx + n * sampleSize
            for oh in 0..<g.outputHeight {
                let top = oh * g.strideHeight - g.padTop
                for ow in 0..<g.outputWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let first = min(max(0, -left), g.kernelWidth), last = min(g.kernelWidth, g.inputWidth - left)
                    for ki in 0..<g.kernelHeight {
                        let ih = top + ki
                        guard ih >= 0, ih < g.inputHeight, last > first else { continue }
                        let src = row + (ki * g.kernelWidth + first) * c
                        let dst = sample + (ih * g.inputWidth + left + first) * c
                        Kernels.add(src, to: dst, count: (last - first) * c)
                    }
                    row += k
                }
            }
        }
    }
}
