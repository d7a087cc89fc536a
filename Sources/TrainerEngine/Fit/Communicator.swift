/// The collective operations data-parallel training needs, across the ranks of one job (MPI's
/// `MPI_COMM_WORLD`). The engine calls them from `fit`; the run supplies an implementation
/// (Open MPI, loaded only under `mpirun`). Every rank calls the same operations in the same
/// order; a failure inside one ends the whole job, so the calls do not throw.
public protocol Communicator: AnyObject {
    /// This process's rank, 0 ..< worldSize; rank 0 is the root that broadcasts.
    var rank: Int { get }
    var worldSize: Int { get }
    /// Sums `count` floats across the ranks, in place: every rank gets the same sums.
    func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int)
    /// Sums `count` doubles across the ranks, in place.
    func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int)
    /// Copies rank 0's `bytes` bytes into every rank's buffer.
    func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int)
}

extension Communicator {
    /// Rank 0's floats into every rank's array (same count on every rank).
    public func broadcast(_ values: inout [Float]) {
        values.withUnsafeMutableBytes { broadcast($0.baseAddress!, bytes: max($0.count, 0)) }
    }

    /// Rank 0's string on every rank (its length first).
    public func broadcast(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var length = Int64(bytes.count)
        broadcast(&length, bytes: 8)
        bytes = bytes.count == Int(length) ? bytes : [UInt8](repeating: 0, count: Int(length))
        if length > 0 { bytes.withUnsafeMutableBytes { broadcast($0.baseAddress!, bytes: $0.count) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Sums one value across the ranks.
    public func sum(_ value: Double) -> Double {
        var v = value
        sum(&v, count: 1)
        return v
    }
}

/// Which part of a data set one rank takes: every `ranks`-th sample of the epoch's order,
/// from position `rank` on. `padded`: each rank takes `ceil(count / ranks)` samples, the
/// positions past the end wrapping around to the order's start (as PyTorch's
/// DistributedSampler), so every rank has the same number of samples and steps.
public struct Shard: Sendable, Equatable {
    public var rank: Int
    public var ranks: Int
    public var padded: Bool

    public init(rank: Int, ranks: Int, padded: Bool) {
        self.rank = rank
        self.ranks = ranks
        self.padded = padded
    }

    /// The whole data set.
    public static let whole = Shard(rank: 0, ranks: 1, padded: false)

    /// Samples this rank takes out of `count`.
    public func samples(of count: Int) -> Int {
        guard ranks > 1 else { return count }
        if padded { return (count + ranks - 1) / ranks }
        return rank < count ? (count - rank + ranks - 1) / ranks : 0
    }
}
