/// What `trainer train` was asked on the command line, on top of the configuration file.
public struct TrainOptions: Sendable {
    public var configPath: String?
    public var epochs: Int?
    public var batchSize: Int?
    public var limit: Int?
    public var verbose: Int?
    public var seed: UInt64?
    public var runDirectory: String?
    /// Seconds a plugin's call may last (`--hook-timeout`).
    public var hookTimeout: Double?
    public var pluginOverrides: [PluginOverride]
    public var pluginDirectories: [String]
    /// Load plugin files others could have changed (`--allow-insecure`).
    public var allowInsecure: Bool
    /// Plugins created on every rank under mpirun (`--every-rank`), added to `every_rank`.
    public var everyRank: [String] = []

    public init(configPath: String? = nil, epochs: Int? = nil, batchSize: Int? = nil, limit: Int? = nil,
                verbose: Int? = nil, seed: UInt64? = nil, runDirectory: String? = nil, hookTimeout: Double? = nil,
                pluginOverrides: [PluginOverride] = [], pluginDirectories: [String] = [], allowInsecure: Bool = false) {
        self.configPath = configPath
        self.epochs = epochs
        self.batchSize = batchSize
        self.limit = limit
        self.verbose = verbose
        self.seed = seed
        self.runDirectory = runDirectory
        self.hookTimeout = hookTimeout
        self.pluginOverrides = pluginOverrides
        self.pluginDirectories = pluginDirectories
        self.allowInsecure = allowInsecure
    }
}
