import CTrainerMPI
import Foundation
import TrainerEngine

/// Open MPI's `MPI_COMM_WORLD` as the engine's `Communicator`, for `trainer train` under
/// `mpirun`. Made only when the launcher's environment says the process is one rank of a job
/// (`CTrainerMPI` loads libmpi with dlopen then): a plain `trainer` never loads libmpi.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let worldSize: Int
    /// The host this rank runs on (MPI's processor name), for messages.
    public let host: String

    /// Float sums (the gradients' allreduce, one per step) made so far, their floats and the
    /// time spent in them, waiting for slower ranks included.
    public private(set) var floatSums = 0
    public private(set) var floatsSummed = 0
    public private(set) var floatSumSeconds = 0.0

    /// The job's communicator, once `startIfLaunched` made it.
    nonisolated(unsafe) public private(set) static var current: MPICommunicator?

    private init() {
        rank = Int(trainer_mpi_rank())
        worldSize = Int(trainer_mpi_size())
        var name = [CChar](repeating: 0, count: 257)
        trainer_mpi_processor_name(&name, name.count)
        host = String(cString: name)
    }

    /// Initialises MPI when the process was started by `mpirun` (or another MPI launcher), else
    /// does nothing and returns nil. Throws `UsageProblem` when libmpi cannot be loaded.
    @discardableResult
    public static func startIfLaunched() throws -> MPICommunicator? {
        if let current { return current }
        guard trainer_mpi_launched() != 0 else { return nil }
        var error = [CChar](repeating: 0, count: 512)
        guard trainer_mpi_init(&error, error.count) == 0 else { throw UsageProblem(String(cString: error)) }
        let communicator = MPICommunicator()
        current = communicator
        return communicator
    }

    /// Ends MPI after a run that succeeded on every rank.
    public static func finish() {
        guard current != nil else { return }
        trainer_mpi_finalize()
    }

    public func sum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        if trainer_mpi_allreduce_sum_float(buffer, Int64(count)) != 0 { fail("MPI_Allreduce") }
        floatSumSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        floatSums += 1
        floatsSummed = count
    }

    public func sum(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        if trainer_mpi_allreduce_sum_double(buffer, Int64(count)) != 0 { fail("MPI_Allreduce") }
    }

    public func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int) {
        if trainer_mpi_broadcast(buffer, Int64(bytes)) != 0 { fail("MPI_Bcast") }
    }

    /// Every rank's bytes (the same count on every rank), in rank order.
    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        var received = [UInt8](repeating: 0, count: bytes.count * worldSize)
        let status = bytes.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { trainer_mpi_allgather(send.baseAddress, $0.baseAddress, Int64(bytes.count)) }
        }
        if status != 0 { fail("MPI_Allgather") }
        return (0..<worldSize).map { Array(received[$0 * bytes.count..<($0 + 1) * bytes.count]) }
    }

    /// An MPI call failed (MPI's own errors end the job before this): the whole job ends.
    private func fail(_ call: String) -> Never {
        Console.standardError("error: rank \(rank) of \(worldSize): \(call) failed; ending the job")
        trainer_mpi_abort(1)
        fatalError("unreachable")
    }
}
