#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a layer will take in memory, checked when it is built: a layer whose weights (with
/// their gradients and an optimizer's state) and buffers for the largest batch would not fit
/// in the machine's memory is refused before anything is allocated, its size named.
extension Layer {
    /// Floats per weight element: the value, its gradient and two optimizer slots (Adam's).
    static let floatsPerWeight = 4

    /// The most bytes a layer may need: the machine's physical memory.
    public static var memoryBudget: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return Int.max }
        return product([pages, pageSize]) ?? Int.max
    }

    /// The product of `factors`, or nil when it overflows.
    static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let next = result.multipliedReportingOverflow(by: factor)
            if next.overflow { return nil }
            result = next.partialValue
        }
        return result
    }

    /// The sum of `terms`, or nil when one is nil or it overflows.
    static func sum(_ terms: [Int?]) -> Int? {
        var result = 0
        for term in terms {
            guard let term else { return nil }
            let next = result.addingReportingOverflow(term)
            if next.overflow { return nil }
            result = next.partialValue
        }
        return result
    }

    /// Throws `LayerError` naming the layer and its size when its weights
    /// (`plannedWeightShapes`) and its input and output buffers for `maxBatch` samples would
    /// need more than `budget` bytes, or more than can be counted.
    func checkMemory(budget: Int = Layer.memoryBudget) throws {
        let shapes = plannedWeightShapes
        let parameters = Layer.sum(shapes.map { Layer.product($0) })
        let buffers = Layer.sum([inputShape, outputShape].map { Layer.product([maxBatch] + $0) })
        let floats = Layer.sum([parameters.flatMap { Layer.product([$0, Layer.floatsPerWeight]) }, buffers])
        let bytes = floats.flatMap { Layer.product([$0, MemoryLayout<Float>.stride]) }
        if let bytes, bytes <= budget { return }
        let weights = shapes.isEmpty ? "no weights"
            : "\(parameters.map(String.init) ?? "more than 2^63") parameters (weights of shape "
                + shapes.map { "\($0)" }.joined(separator: " and ") + ")"
        throw LayerError(layer: name, message:
            "\(kerasClassName) with output shape \(outputShape) has \(weights); with their gradients, the optimizer's "
            + "state and buffers for batches of \(maxBatch) it needs \(bytes.map(Layer.describe(bytes:)) ?? "more than 8 EB"), "
            + "more than this machine's \(Layer.describe(bytes: budget)) of memory")
    }

    /// `bytes` in the largest unit that keeps the number at least 1: "23.4 GB", "2.9 PB".
    static func describe(bytes: Int) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
