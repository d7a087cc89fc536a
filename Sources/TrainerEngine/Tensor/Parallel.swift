#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Splits a step's work into a fixed number of parts run on the calling thread and on
/// persistent worker threads (one per further core). A call handed to the worker threads
/// allocates one object, Swift's wrapper that lets them call the caller's non-escaping `body`
/// (`withoutActuallyEscaping`), freed before the call returns; nothing else is allocated per
/// call (`jobsForWorkers` counts those calls, for the allocation tests).
///
/// The parts are fixed by the caller and each writes only its own outputs, so the results
/// do not depend on which thread ran which part, nor on how many threads there are: a run
/// with one core gives the same bits as a run with two.
///
/// Workers spin for the next job for about a tenth of a millisecond (a step's parts follow
/// each other within microseconds, and waking a sleeping thread costs about as much as a
/// small part), then sleep on a condition variable. A worker adopts the caller's denormal flushing
/// (`FlushDenormals`) before running a part. Calls from several threads at once, and
/// nested calls, run their parts one after the other on the calling thread.
enum Parallel {
    /// Threads a step may use, the caller included: the cores online, capped at 8, or
    /// `TRAINER_THREADS` when set.
    static let threadCount: Int = {
        if let value = getenv("TRAINER_THREADS"), let n = Int(String(cString: value)), n >= 1 {
            return min(n, 64)
        }
        return max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 8))
    }()

    /// Runs `body(0)`, ..., `body(parts - 1)`, in parallel when there are worker threads;
    /// returns when all have finished.
    @inline(__always)
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || threadCount <= 1 {
            for p in 0..<parts { body(p) }
            return
        }
        Pool.shared.run(parts: parts, body)
    }

    /// Calls handed to the worker threads so far (each allocates its `body`'s wrapper).
    static var jobsForWorkers: Int { threadCount > 1 ? Pool.shared.jobs.load(ordering: .relaxed) : 0 }

    /// The half-open range of `count` items that part `part` of `parts` covers, in chunks
    /// that are multiples of `alignment` (the last part takes the rest).
    @inline(__always)
    static func range(of count: Int, part: Int, parts: Int, alignment: Int = 1) -> Range<Int> {
        let chunks = (count + alignment - 1) / alignment
        let lo = min(count, (chunks * part / parts) * alignment)
        let hi = part == parts - 1 ? count : min(count, (chunks * (part + 1) / parts) * alignment)
        return lo..<max(lo, hi)
    }
}

/// The worker threads behind `Parallel.run`.
private final class Pool: @unchecked Sendable {
    static let shared = Pool(workers: Parallel.threadCount - 1)

    private let workers: Int
    /// Bumped once per job; workers run a job when they see a new value.
    private let generation = Atomic<Int>(0)
    /// Workers that finished the current job.
    private let finished = Atomic<Int>(0)
    /// Held by the thread that runs a job (others run theirs serially).
    private let busy = Atomic<Bool>(false)
    /// Jobs run so far.
    let jobs = Atomic<Int>(0)
    /// Whether the caller flushes denormals (MXCSR FTZ|DAZ), which workers then copy.
    private let flushDenormals = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?
    private var parts = 0
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    private init(workers: Int) {
        self.workers = workers
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        for index in 0..<workers {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index + 1)).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index)
                return nil
            }, context)
            if started == 0 { pthread_detach(thread) }
        }
    }

    private final class WorkerContext {
        let pool: Pool
        let index: Int
        init(pool: Pool, index: Int) { self.pool = pool; self.index = index }
    }

    func run(parts: Int, _ body: (Int) -> Void) {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { body(p) }
            return
        }
        jobs.wrappingAdd(1, ordering: .relaxed)
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            self.parts = parts
            flushDenormals.store(Pool.callerFlushesDenormals(), ordering: .relaxed)
            finished.store(0, ordering: .relaxed)
            pthread_mutex_lock(&mutex)
            generation.wrappingAdd(1, ordering: .releasing)
            pthread_cond_broadcast(&condition)
            pthread_mutex_unlock(&mutex)
            let threads = workers + 1
            var p = 0
            while p < parts {
                escapable(p)
                p += threads
            }
            while finished.load(ordering: .acquiring) < workers { sched_yield() }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func workerLoop(index: Int) {
        var seen = 0 // the generation before any job (a worker may start after the first one)
        var flushing = false
        let threads = workers + 1
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < 200_000 { spins += 1 }
            if generation.load(ordering: .acquiring) == seen {
                pthread_mutex_lock(&mutex)
                while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(&condition, &mutex) }
                pthread_mutex_unlock(&mutex)
            }
            seen = generation.load(ordering: .acquiring)
            let wanted = flushDenormals.load(ordering: .relaxed)
            if wanted != flushing {
                Pool.setFlushDenormals(wanted)
                flushing = wanted
            }
            if let job {
                var p = index
                while p < parts {
                    job(p)
                    p += threads
                }
            }
            finished.wrappingAdd(1, ordering: .releasing)
        }
    }

    private static func callerFlushesDenormals() -> Bool {
        #if canImport(Glibc) && arch(x86_64)
        var env = fenv_t()
        fegetenv(&env)
        return env.__mxcsr & 0x8040 == 0x8040
        #else
        return false
        #endif
    }

    private static func setFlushDenormals(_ on: Bool) {
        #if canImport(Glibc) && arch(x86_64)
        var env = fenv_t()
        fegetenv(&env)
        if on { env.__mxcsr |= 0x8040 } else { env.__mxcsr &= ~0x8040 }
        fesetenv(&env)
        #endif
    }
}
