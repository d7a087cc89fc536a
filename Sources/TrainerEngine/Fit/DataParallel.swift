/// Data-parallel training over a `Communicator`, as Horovod does it: what `fit` does on every
/// rank so that all ranks take the same steps and end with the same weights, bit for bit.
///
/// - At the start, rank 0's weights, optimizer state (slots, iterations) and learning rate
///   are copied to every rank (after a resume, rank 0 is the one that read the checkpoint).
/// - After every backward pass, one in-place sum over one fused buffer: every trainable
///   weight's gradient, in layer order, then three control values (rank 0's learning rate,
///   the ranks asking to stop, the ranks interrupted). The gradients are divided by the
///   number of ranks, rank 0's learning rate is set on every rank, then the optimizer steps.
///   A rank that was asked to stop after its last batch (by a plugin, or Ctrl-C) joins this
///   sum without computing anything, and no rank applies the step: every rank stops after the
///   same batch with the same weights.
/// - At the end of an epoch, the training loss and metrics (sums and sample counts) are
///   summed across the ranks, and the validation loss and metrics likewise (each rank
///   validates on its shard of the validation data): every rank's callbacks see the logs of
///   the whole epoch (Horovod's MetricAverageCallback, weighted by samples). Non-trainable
///   weights (batch normalization's moving statistics) are averaged there too.
///
/// Every buffer is allocated once, when `fit` starts: a step allocates nothing.
final class DataParallel {
    let communicator: Communicator
    let rank: Int
    let ranks: Int
    private let trainable: [Parameter]
    private let nonTrainable: [Parameter]
    /// Gradients, then the control values.
    private let fused: FloatBuffer
    private let gradientCount: Int
    private let nonTrainableBuffer: FloatBuffer
    private let nonTrainableCount: Int
    /// Running means (total, count pairs) and flags summed at an epoch's end.
    private let sums: UnsafeMutablePointer<Double>
    private let sumsCapacity = 64

    /// The control values after the last `averageGradients`.
    private(set) var stopAsked = false
    private(set) var interrupted = false

    init(communicator: Communicator, model: Sequential) {
        self.communicator = communicator
        rank = communicator.rank
        ranks = communicator.worldSize
        let weights = model.weights
        trainable = weights.filter(\.isTrainable)
        nonTrainable = weights.filter { !$0.isTrainable }
        gradientCount = trainable.reduce(0) { $0 + $1.count }
        fused = FloatBuffer(count: gradientCount + 3)
        nonTrainableCount = nonTrainable.reduce(0) { $0 + $1.count }
        nonTrainableBuffer = FloatBuffer(count: max(nonTrainableCount, 1))
        sums = .allocate(capacity: sumsCapacity)
    }

    deinit { sums.deallocate() }

    /// Copies rank 0's weights and optimizer state to every rank.
    func broadcastState(of model: Sequential) throws {
        var values = [Float]()
        for p in model.weights { values.append(contentsOf: UnsafeBufferPointer(start: p.value, count: p.count)) }
        communicator.broadcast(&values)
        var offset = 0
        for p in model.weights {
            values.withUnsafeBufferPointer { p.value.update(from: $0.baseAddress! + offset, count: p.count) }
            offset += p.count
        }
        guard let optimizer = model.optimizer else { return }
        let state = optimizer.state()
        var flat = [Float]()
        for entry in state { flat.append(contentsOf: entry.values) }
        var iterations = Double(optimizer.iterations)
        communicator.broadcast(&flat)
        communicator.broadcast(&iterations, bytes: 8)
        var named: [String: [Float]] = [:]
        offset = 0
        for entry in state {
            named[entry.name] = Array(flat[offset..<offset + entry.values.count])
            offset += entry.values.count
        }
        named["iterations"] = [0]
        try optimizer.restoreState(named)
        optimizer.iterations = Int(iterations)
    }

    /// Sums every rank's gradients and control values; divides the gradients by the number of
    /// ranks and sets rank 0's learning rate. Returns false when a rank asked to stop or was
    /// interrupted (`stopAsked`, `interrupted`): then no rank applies this step.
    func averageGradients(optimizer: Optimizer, stop: Bool, interrupt: Bool) -> Bool {
        let buffer = fused.pointer
        var offset = 0
        for i in 0..<trainable.count {
            let p = trainable[i]
            buffer.advanced(by: offset).update(from: p.gradient!, count: p.count)
            offset += p.count
        }
        buffer[gradientCount] = rank == 0 ? Float(optimizer.learningRate) : 0
        buffer[gradientCount + 1] = stop ? 1 : 0
        buffer[gradientCount + 2] = interrupt ? 1 : 0
        communicator.sum(buffer, count: gradientCount + 3)
        stopAsked = buffer[gradientCount + 1] > 0
        interrupted = buffer[gradientCount + 2] > 0
        if stopAsked || interrupted { return false }
        let scale = 1 / Float(ranks)
        offset = 0
        for i in 0..<trainable.count {
            let p = trainable[i]
            let g = p.gradient!
            let source = buffer.advanced(by: offset)
            for j in 0..<p.count { g[j] = source[j] * scale }
            offset += p.count
        }
        optimizer.learningRate = Double(buffer[gradientCount])
        return true
    }

    /// Sums the running means across the ranks (each a total and a count) and says whether
    /// any rank set `stop` or `interrupt`.
    func combine(_ means: inout RunningMean, _ metrics: [Metric], stop: Bool = false,
                 interrupt: Bool = false) -> (stop: Bool, interrupt: Bool) {
        let n = 2 * (metrics.count + 1) + 2
        precondition(n <= sumsCapacity, "too many metrics to combine")
        sums[0] = means.total
        sums[1] = means.count
        for i in 0..<metrics.count {
            sums[2 + 2 * i] = metrics[i].mean.total
            sums[3 + 2 * i] = metrics[i].mean.count
        }
        sums[n - 2] = stop ? 1 : 0
        sums[n - 1] = interrupt ? 1 : 0
        communicator.sum(sums, count: n)
        means = RunningMean(total: sums[0], count: sums[1])
        for i in 0..<metrics.count {
            metrics[i].mean = RunningMean(total: sums[2 + 2 * i], count: sums[3 + 2 * i])
        }
        return (sums[n - 2] > 0, sums[n - 1] > 0)
    }

    /// Whether any rank set `flag` (one value summed).
    func any(_ flag: Bool) -> Bool {
        sums[0] = flag ? 1 : 0
        communicator.sum(sums, count: 1)
        return sums[0] > 0
    }

    /// Averages the non-trainable weights (moving statistics) across the ranks.
    func averageNonTrainable() {
        guard nonTrainableCount > 0 else { return }
        let buffer = nonTrainableBuffer.pointer
        var offset = 0
        for i in 0..<nonTrainable.count {
            buffer.advanced(by: offset).update(from: nonTrainable[i].value, count: nonTrainable[i].count)
            offset += nonTrainable[i].count
        }
        communicator.sum(buffer, count: nonTrainableCount)
        let scale = 1 / Float(ranks)
        offset = 0
        for i in 0..<nonTrainable.count {
            let p = nonTrainable[i]
            for j in 0..<p.count { p.value[j] = buffer[offset + j] * scale }
            offset += p.count
        }
    }
}
