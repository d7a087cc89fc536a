import CTrainerPlugin

/// The run's parameters as both sides of the boundary see them: Keras's `callback.params` plus
/// the run directory (`trainer_run_params_t`), and where this process stands in data-parallel
/// training (`trainer.distributed/1`).
public struct RunParameters: Equatable, Sendable {
    /// 0 silent, 1 progress bar, 2 one line per epoch.
    public var verbose: Int
    /// Epochs the run asks for.
    public var epochs: Int
    /// Training batches per epoch (Keras: `params["steps"]`); per rank under mpirun.
    public var steps: Int
    /// Samples per batch; per rank under mpirun.
    public var batchSize: Int
    /// Training samples.
    public var samples: Int
    /// First epoch index (0 unless the run resumes).
    public var initialEpoch: Int
    /// Directory of this run's outputs (exists); empty when the host gave none.
    public var runDirectory: String
    /// Validation samples; 0 when the run has no validation data.
    public var validationSamples: Int
    /// This process's rank and the number of ranks: 0 of 1 without mpirun.
    public var rank: Int
    public var worldSize: Int

    public init(verbose: Int = 1, epochs: Int = 1, steps: Int = 0, batchSize: Int = 32,
                samples: Int = 0, initialEpoch: Int = 0, runDirectory: String = "",
                validationSamples: Int = 0, rank: Int = 0, worldSize: Int = 1) {
        self.verbose = verbose
        self.epochs = epochs
        self.steps = steps
        self.batchSize = batchSize
        self.samples = samples
        self.initialEpoch = initialEpoch
        self.runDirectory = runDirectory
        self.validationSamples = validationSamples
        self.rank = rank
        self.worldSize = worldSize
    }

    /// From the C struct the host filled (fields past its struct_size are zero, as the ABI
    /// asks); rank and world size are not in it.
    public init(_ raw: trainer_run_params_t) {
        self.init(verbose: Int(raw.verbose), epochs: Int(raw.epochs), steps: Int(raw.steps),
                  batchSize: Int(raw.batch_size), samples: Int(raw.samples), initialEpoch: Int(raw.initial_epoch),
                  runDirectory: raw.run_dir.map { String(cString: $0) } ?? "",
                  validationSamples: Int(raw.validation_samples))
    }

    /// The C struct, whole, with `runDirectory` as the C string the caller keeps alive.
    public func raw(runDirectory: UnsafePointer<CChar>?) -> trainer_run_params_t {
        trainer_run_params_t(
            struct_size: UInt32(MemoryLayout<trainer_run_params_t>.size),
            verbose: Int32(clamping: verbose), epochs: Int64(epochs), steps: Int64(steps),
            batch_size: Int64(batchSize), samples: Int64(samples), initial_epoch: Int64(initialEpoch),
            run_dir: runDirectory, validation_samples: Int64(validationSamples))
    }
}
