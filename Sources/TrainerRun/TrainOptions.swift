/// What `trainer train` was asked on the command line, on top of the configuration file.
public struct TrainOptions: Sendable {
    public var configPath: String?
    public var epochs: Int?
    public var batchSize: Int?
    public var limit: Int?
    /// Validate on the first N validation samples (`--validation-limit`).
    public var validationLimit: Int?
    public var verbose: Int?
    public var seed: UInt64?
    public var runDirectory: String?
    /// Seconds a plugin's call may last (`--hook-timeout`).
    public var hookTimeout: Double?
    /// Run every plugin of the run in a plugin host of its own (`--isolate`).
    public var isolate: Bool
    /// Weights to start training from (`--initial-weights`), relative to the working directory.
    public var initialWeights: String?
    public var pluginOverrides: [PluginOverride]
    public var pluginDirectories: [String]
    /// Load plugin files others could have changed (`--allow-insecure`).
    public var allowInsecure: Bool
    /// Plugins created on every rank under mpirun (`--every-rank`), added to `every_rank`.
    public var everyRank: [String] = []

    public init(configPath: String? = nil, epochs: Int? = nil, batchSize: Int? = nil, limit: Int? = nil,
                verbose: Int? = nil, seed: UInt64? = nil, runDirectory: String? = nil, hookTimeout: Double? = nil,
                validationLimit: Int? = nil, initialWeights: String? = nil, isolate: Bool = false,
                pluginOverrides: [PluginOverride] = [], pluginDirectories: [String] = [], allowInsecure: Bool = false) {
        self.configPath = configPath
        self.epochs = epochs
        self.batchSize = batchSize
        self.limit = limit
        self.verbose = verbose
        self.seed = seed
        self.runDirectory = runDirectory
        self.hookTimeout = hookTimeout
        self.validationLimit = validationLimit
        self.initialWeights = initialWeights
        self.isolate = isolate
        self.pluginOverrides = pluginOverrides
        self.pluginDirectories = pluginDirectories
        self.allowInsecure = allowInsecure
    }
}
