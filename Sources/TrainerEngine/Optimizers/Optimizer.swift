/// Updates trainable weights from their gradients, as a Keras 3 optimizer.
///
/// The learning rate is read at every step, so it can be changed between batches (plugins
/// do). Like Keras, it is held in float32. Per-weight state ("slots": momentums, velocities)
/// is allocated once in `build`; together with `iterations` and the learning rate it can be
/// read and restored as named float arrays (`state()`, `restoreState(_:)`) to resume a run.
open class Optimizer {
    private var rate: Float
    /// Steps taken so far (Keras's `optimizer.iterations`).
    public internal(set) var iterations: Int = 0
    /// The weights this optimizer updates, set by `build`.
    public private(set) var parameters: [Parameter] = []
    /// `slots[i][s]`: slot `slotNames[s]` of `parameters[i]`.
    var slots: [[FloatBuffer]] = []

    public init(learningRate: Double) {
        rate = Float(learningRate)
    }

    /// The learning rate (as the float32 Keras holds). Takes effect from the next step.
    public var learningRate: Double {
        get { Double(rate) }
        set { rate = Float(newValue) }
    }

    /// Keras's class name (`SGD`, `Adam`, `RMSprop`).
    open var kerasClassName: String { "Optimizer" }

    /// Names of the per-weight state arrays this optimizer keeps (Keras's variable suffixes).
    open var slotNames: [String] { [] }

    /// Allocates state for `parameters` (trainable ones only) and resets `iterations`.
    public func build(_ parameters: [Parameter]) {
        self.parameters = parameters.filter { $0.isTrainable }
        slots = self.parameters.map { p in slotNames.map { _ in FloatBuffer(count: p.count) } }
        iterations = 0
    }

    /// Applies one update to every weight from its gradient. Every element's update depends
    /// on that element alone, so large weights are split across `Parallel`'s threads in
    /// fixed parts (the same bits whatever the thread count).
    public func step() {
        let lr = rate
        let params = parameters
        var total = 0
        for i in 0..<params.count { total += params[i].count } // by index: see ShapeSizes
        let parts = total >= Optimizer.parallelThreshold ? Parallel.threadCount : 1
        Parallel.run(parts: parts) { part in
            for i in 0..<params.count {
                let p = params[i]
                let r: Range<Int>
                if p.count >= Optimizer.splitThreshold {
                    r = Parallel.range(of: p.count, part: part, parts: parts, alignment: 64)
                } else {
                    // Small weights go whole to one part, spread round-robin.
                    r = i % parts == part ? 0..<p.count : 0..<0
                }
                if r.isEmpty { continue }
                update(p.value + r.lowerBound, gradient: p.gradient! + r.lowerBound, count: r.count, slots: i,
                       offset: r.lowerBound, learningRate: lr)
            }
        }
        iterations += 1
    }

    /// Weights of this many floats or more are split across threads.
    static let splitThreshold = 4096
    /// Models with fewer weights update on one thread.
    static let parallelThreshold = 16384

    /// Updates `count` floats of one weight tensor, from element `offset` on (`value` and
    /// `gradient` already point there); `slots` indexes `self.slots`, whose arrays the update
    /// reads from `offset` on. `iterations` is the number of steps before this one.
    open func update(_ value: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                     count: Int, slots: Int, offset: Int, learningRate: Float) {}

    @inline(__always)
    func slot(_ parameter: Int, _ index: Int) -> UnsafeMutablePointer<Float> {
        slots[parameter][index].pointer
    }

    /// The optimizer's state as named arrays: `iterations`, `learning_rate`, then
    /// `<weight>/<slot>` for every weight and slot (e.g. `dense/kernel/momentum`).
    public func state() -> [(name: String, shape: [Int], values: [Float])] {
        var out: [(name: String, shape: [Int], values: [Float])] = [
            ("iterations", [], [Float(iterations)]),
            ("learning_rate", [], [rate]),
        ]
        for (i, p) in parameters.enumerated() {
            for (s, slotName) in slotNames.enumerated() {
                let b = slots[i][s]
                out.append(("\(p.name)/\(slotName)", p.shape, Array(UnsafeBufferPointer(start: b.pointer, count: b.count))))
            }
        }
        return out
    }

    /// Restores what `state()` returned (after `build` with the same weights). Every name
    /// must be present with the right size.
    public func restoreState(_ named: [String: [Float]]) throws {
        guard let it = named["iterations"], it.count == 1 else {
            throw OptimizerStateError(message: "missing 'iterations'")
        }
        for (i, p) in parameters.enumerated() {
            for (s, slotName) in slotNames.enumerated() {
                let key = "\(p.name)/\(slotName)"
                guard let values = named[key] else { throw OptimizerStateError(message: "missing '\(key)'") }
                guard values.count == p.count else {
                    throw OptimizerStateError(message: "'\(key)' has \(values.count) values, expected \(p.count)")
                }
                values.withUnsafeBufferPointer { slots[i][s].pointer.update(from: $0.baseAddress!, count: p.count) }
            }
        }
        iterations = Int(it[0])
        if let lr = named["learning_rate"], lr.count == 1 { rate = lr[0] }
    }
}

/// Optimizer state that does not match the optimizer's weights.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "optimizer state: \(message)" }
}

/// Creates optimizers from Keras's names with Keras's defaults.
public enum Optimizers {
    public static let names = ["sgd", "adam", "rmsprop"]

    /// `sgd`, `adam` or `rmsprop` (any case), with `learningRate` or Keras's default.
    public static func named(_ name: String, learningRate: Double? = nil) -> Optimizer? {
        switch name.lowercased() {
        case "sgd": return SGD(learningRate: learningRate ?? 0.01)
        case "adam": return Adam(learningRate: learningRate ?? 0.001)
        case "rmsprop": return RMSprop(learningRate: learningRate ?? 0.001)
        default: return nil
        }
    }
}
