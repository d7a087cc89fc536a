/// Vectorised elementwise kernels over raw float buffers, used by the layers' hot loops.
/// Each works in 16-float chunks with a scalar tail.
enum Kernels {
    static let width = FloatVector.scalarCount

    /// x = max(x, 0).
    @inline(__always)
    static func relu(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        let zero = FloatVector(repeating: 0)
        var i = 0
        while i + width <= n {
            var v = x.loadVector(at: i)
            v.replace(with: zero, where: v .< zero)
            x.storeVector(v, at: i)
            i += width
        }
        while i < n {
            if x[i] < 0 { x[i] = 0 }
            i += 1
        }
    }

    /// g = y > 0 ? g : 0.
    @inline(__always)
    static func reluBackward(output y: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, count n: Int) {
        let zero = FloatVector(repeating: 0)
        var i = 0
        while i + width <= n {
            var v = g.loadVector(at: i)
            v.replace(with: zero, where: y.loadVector(at: i) .<= zero)
            g.storeVector(v, at: i)
            i += width
        }
        while i < n {
            if !(y[i] > 0) { g[i] = 0 }
            i += 1
        }
    }

    /// y += x (elementwise).
    @inline(__always)
    static func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + width <= n {
            y.storeVector(y.loadVector(at: i) + x.loadVector(at: i), at: i)
            i += width
        }
        while i < n {
            y[i] += x[i]
            i += 1
        }
    }

    /// g *= a (elementwise).
    @inline(__always)
    static func multiply(_ g: UnsafeMutablePointer<Float>, by a: UnsafePointer<Float>, count n: Int) {
        var i = 0
        while i + width <= n {
            g.storeVector(g.loadVector(at: i) * a.loadVector(at: i), at: i)
            i += width
        }
        while i < n {
            g[i] *= a[i]
            i += 1
        }
    }

    /// sums[j] = Σ_r x[r * columns + j] (a bias gradient), reading `x` once, row by row.
    @inline(__always)
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = x + r * columns
            var j = 0
            while j + width <= columns {
                sums.storeVector(sums.loadVector(at: j) + row.loadVector(at: j), at: j)
                j += width
            }
            while j < columns {
                sums[j] += row[j]
                j += 1
            }
        }
    }

    /// Copies `row` (`columns` floats) into each of `rows` rows of `out`.
    @inline(__always)
    static func broadcastRows(_ row: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (out + r * columns).update(from: row, count: columns) }
    }

    /// out[r, j] += bias[j], then, with `relu`, max(·, 0): one pass over the output.
    @inline(__always)
    static func addBias(_ bias: UnsafePointer<Float>, to out: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                        relu: Bool) {
        let zero = FloatVector(repeating: 0)
        for r in 0..<rows {
            let row = out + r * columns
            var j = 0
            while j + width <= columns {
                var v = row.loadVector(at: j) + bias.loadVector(at: j)
                if relu { v.replace(with: zero, where: v .< zero) }
                row.storeVector(v, at: j)
                j += width
            }
            while j < columns {
                let v = row[j] + bias[j]
                row[j] = relu && v < 0 ? 0 : v
                j += 1
            }
        }
    }

    /// g = y > 0 ? g : 0 and sums[j] = Σ_r g[r, j], in one row-by-row pass (ReLU layer with a bias).
    @inline(__always)
    static func reluBackwardWithColumnSums(output y: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>,
                                           rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        let zero = FloatVector(repeating: 0)
        sums.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let yr = y + r * columns, gr = g + r * columns
            var j = 0
            while j + width <= columns {
                var v = gr.loadVector(at: j)
                v.replace(with: zero, where: yr.loadVector(at: j) .<= zero)
                gr.storeVector(v, at: j)
                sums.storeVector(sums.loadVector(at: j) + v, at: j)
                j += width
            }
            while j < columns {
                if !(yr[j] > 0) { gr[j] = 0 }
                sums[j] += gr[j]
                j += 1
            }
        }
    }
}
