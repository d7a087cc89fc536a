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
    /// Run every plugin of the run in a plugin host of its own (`--isolate`).
    public var isolate: Bool
    public var pluginOverrides: [PluginOverride]
    public var pluginDirectories: [String]

    public init(configPath: String? = nil, epochs: Int? = nil, batchSize: Int? = nil, limit: Int? = nil,
                verbose: Int? = nil, seed: UInt64? = nil, runDirectory: String? = nil, hookTimeout: Double? = nil,
                isolate: Bool = false, pluginOverrides: [PluginOverride] = [], pluginDirectories: [String] = []) {
        self.configPath = configPath
        self.epochs = epochs
        self.batchSize = batchSize
        self.limit = limit
        self.verbose = verbose
        self.seed = seed
        self.runDirectory = runDirectory
        self.hookTimeout = hookTimeout
        self.isolate = isolate
        self.pluginOverrides = pluginOverrides
        self.pluginDirectories = pluginDirectories
    }
}
