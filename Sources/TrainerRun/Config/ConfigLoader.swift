import Foundation
import TOMLKit
import TrainerHost

/// Reads a run's TOML configuration. Every key is checked: unknown keys, wrong types and
/// impossible values are errors naming the file and the key.
public enum ConfigLoader {
    /// The configuration file `train` uses when none is named: `trainer.toml` in the
    /// working directory, if it exists.
    public static let defaultFileName = "trainer.toml"

    public static func load(path: String) throws -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(source: path, exists ? "cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, "is not UTF-8 text")
        }
        return try parse(text, source: path)
    }

    /// The plugin files `trainer.toml` in the working directory approves (none without the
    /// file), for commands that take no configuration file (`replay`).
    static func workingDirectoryPins() throws -> PluginPins {
        guard FileManager.default.fileExists(atPath: defaultFileName) else { return .none }
        return try UsageProblem.wrap { try load(path: defaultFileName).pins }
    }

    public static func parse(_ text: String, source: String) throws -> RunConfig {
        try read(reader(text, source: source))
    }

    /// The file's top-level table.
    static func reader(_ text: String, source: String) throws -> ConfigReader {
        if let header = TOMLDocument(text).headerWithoutKey() {
            throw ConfigError(source: source, "line \(header.line), column \(header.column): a table header starts with a key "
                              + "(a bare key or a quoted one), not \(header.found)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(source: source, "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        guard case .table(let values)? = ConfigValue(toml: table) else {
            throw ConfigError(source: source, "holds values of a kind this program does not read (dates or times)")
        }
        return ConfigReader(source: source, values: values)
    }

    static let topLevelKeys = ["epochs", "batch_size", "seed", "shuffle", "verbose", "run_dir", "hook_timeout",
                               "initial_weights", "model", "data", "plugins", PluginHashesSection.tableName]

    static func read(_ top: ConfigReader) throws -> RunConfig {
        var config = RunConfig()
        config.source = top.source
        if let v = try top.int("epochs", atLeast: 1) { config.epochs = v }
        if let v = try top.int("batch_size", atLeast: 1) { config.batchSize = v }
        if let v = try top.int("seed", atLeast: 0) { config.seed = UInt64(v) }
        if let v = try top.bool("shuffle") { config.shuffle = v }
        if let v = try top.int("verbose") {
            guard (0...2).contains(v) else { throw top.error("verbose", "must be 0, 1 or 2, not \(v)") }
            config.verbose = v
        }
        config.runDirectory = try top.string("run_dir")
        if let v = try top.string("initial_weights") {
            guard !v.isEmpty else { throw top.error("initial_weights", "must name a safetensors file") }
            config.initialWeights = v
        }
        if let v = try top.double("hook_timeout") {
            guard v > 0, v.isFinite else { throw top.error("hook_timeout", "must be a positive number of seconds, not \(v)") }
            config.hookTimeout = v
        }
        if let model = try top.table("model") { config.model = try readModel(model) }
        if let data = try top.table("data") { config.data = try readData(data) }
        if let plugins = try top.table("plugins") { config.plugins = try PluginsSection.read(plugins) }
        if let hashes = try top.table(PluginHashesSection.tableName) { config.pluginSHA256 = try PluginHashesSection.read(hashes) }
        try top.rejectUnknownKeys(known: topLevelKeys)
        return config
    }

    static func readModel(_ table: ConfigReader) throws -> ModelSpec {
        var model = ModelSpec()
        if let layers = try table.tables("layers") {
            guard !layers.isEmpty else { throw table.error("layers", "must name at least one layer") }
            model.layers = try layers.map { layer in
                guard let type = try layer.string("type") else {
                    throw layer.error(nil, "needs a type (a Keras layer class such as \"Dense\")")
                }
                var options = layer.values
                options["type"] = nil
                return LayerSpec(type: type, options: options, key: layer.path)
            }
        }
        if let loss = try table.string("loss") { model.loss = loss }
        if let metrics = try table.strings("metrics") { model.metrics = metrics }
        if let optimizer = try table.table("optimizer") {
            guard let name = try optimizer.string("name") else {
                throw optimizer.error(nil, "needs a name (\"adam\", \"sgd\" or \"rmsprop\")")
            }
            var spec = OptimizerSpec(name: name, learningRate: try optimizer.double("learning_rate"))
            var options = optimizer.values
            options["name"] = nil
            options["learning_rate"] = nil
            spec.options = options
            model.optimizer = spec
        }
        try table.rejectUnknownKeys(known: ["layers", "loss", "metrics", "optimizer"])
        return model
    }

    static let dataKeys = ["format", "train_features", "train_labels", "validation_features", "validation_labels",
                           "validation_split", "rescale", "classes", "limit", "validation_limit",
                           "label_column", "delimiter", "feature_shape"]

    static func readData(_ table: ConfigReader) throws -> DataSpec {
        var data = DataSpec()
        // Naming any training file means the defaults (Fashion-MNIST) no longer apply.
        if table.has("train_features") || table.has("train_labels") {
            data.trainFeatures = nil
            data.trainLabels = nil
            data.validationFeatures = nil
            data.validationLabels = nil
        }
        if let format = try table.string("format") {
            guard ["idx", "csv", "npy"].contains(format) else {
                throw table.error("format", "must be \"idx\", \"csv\" or \"npy\", not \"\(format)\"")
            }
            data.format = format
        }
        if let v = try table.string("train_features") { data.trainFeatures = v }
        if let v = try table.string("train_labels") { data.trainLabels = v }
        if let v = try table.string("validation_features") { data.validationFeatures = v }
        if let v = try table.string("validation_labels") { data.validationLabels = v }
        if let v = try table.double("validation_split") {
            guard v >= 0, v < 1 else { throw table.error("validation_split", "must be in [0, 1), not \(v)") }
            data.validationSplit = v
            if v > 0 && !table.has("validation_features") {
                data.validationFeatures = nil
                data.validationLabels = nil
            }
        }
        if let v = try table.double("rescale") { data.rescale = v }
        if let v = try table.int("classes", atLeast: 1) { data.classes = v }
        if let v = try table.int("limit", atLeast: 0) { data.limit = v }
        if let v = try table.int("validation_limit", atLeast: 0) { data.validationLimit = v }
        if let v = table.raw("label_column") {
            switch v {
            case .string(let s): data.labelColumn = s
            case .int(let i): data.labelColumn = String(i)
            default: throw table.error("label_column", "must be a column name or a 0-based index")
            }
        }
        if let v = try table.string("delimiter") { data.delimiter = v }
        if let v = table.raw("feature_shape") {
            guard case .array(let items) = v else { throw table.error("feature_shape", "must be an array of integers") }
            data.featureShape = try items.map { item in
                guard case .int(let i) = item, i > 0 else { throw table.error("feature_shape", "must be an array of positive integers") }
                return i
            }
        }
        try table.rejectUnknownKeys(known: dataKeys)
        return data
    }
}
