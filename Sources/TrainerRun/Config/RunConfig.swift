import Foundation
import TrainerHost

/// Everything a run needs: the model, the data, the schedule and the plugins, in order.
/// The defaults are the model every Keras tutorial starts with, on Fashion-MNIST.
public struct RunConfig: Sendable {
    public var model = ModelSpec()
    public var data = DataSpec()
    public var epochs = 5
    public var batchSize = 32
    public var seed: UInt64 = 42
    public var shuffle = true
    /// 0 silent, 1 progress bar, 2 one line per epoch (Keras's `verbose`).
    public var verbose = 1
    /// Where the run writes its outputs; nil: `runs/<date-time>/` in the working directory.
    public var runDirectory: String?
    /// Seconds a plugin's call may last before the run is ended (`hook_timeout`).
    public var hookTimeout: Double = 300
    /// Weights the run starts from (`initial_weights`, a safetensors file), as given in the
    /// file: a relative path is taken from the configuration file's directory
    /// (`initialWeightsPath`).
    public var initialWeights: String?
    /// The plugins to run, in order, with their settings.
    public var plugins: [PluginSettings] = RunConfig.defaultPlugins
    /// Under mpirun, the plugins created on every rank (`[plugins] every_rank`); the others
    /// run on rank 0 only.
    public var everyRank: [String] = []
    /// The SHA-256 of plugin files as `trainer plugins enable` approved them, by lowercased
    /// id (`[plugin_sha256]`).
    public var pluginSHA256: [String: String] = [:]
    /// The file the configuration came from, if any.
    public var source: String?

    /// The approved plugin files, for loading the run's plugins.
    public var pins: PluginPins { PluginPins(source: source ?? "trainer.toml", hashes: pluginSHA256) }

    public init() {}

    /// `initialWeights` as a path to open: relative to the directory of the configuration
    /// file it was read from (to the working directory when there is no file).
    public var initialWeightsPath: String? {
        guard let path = initialWeights else { return nil }
        guard !path.hasPrefix("/"), let source else { return path }
        let directory = (source as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// Keras adds these two to every `fit`.
    public static let defaultPlugins = [PluginSettings(id: "ProgbarLogger"), PluginSettings(id: "History")]
}

/// The model: layers in order, loss, metrics and optimizer, with Keras's names.
public struct ModelSpec: Sendable {
    public var layers: [LayerSpec] = [
        LayerSpec(type: "Flatten"),
        LayerSpec(type: "Dense", options: ["units": .int(128), "activation": .string("relu")]),
        LayerSpec(type: "Dense", options: ["units": .int(10), "activation": .string("softmax")]),
    ]
    public var loss = "sparse_categorical_crossentropy"
    public var metrics = ["accuracy"]
    public var optimizer = OptimizerSpec()

    public init() {}
}

/// One layer as configured: its Keras class name and options (`units`, `activation`, ...).
public struct LayerSpec: Sendable {
    public var type: String
    public var options: [String: ConfigValue]
    /// Where it was configured, for error messages ("model.layers[1]").
    public var key: String

    public init(type: String, options: [String: ConfigValue] = [:], key: String = "model.layers") {
        self.type = type
        self.options = options
        self.key = key
    }
}

/// The optimizer: Keras's name and options.
public struct OptimizerSpec: Sendable {
    public var name = "adam"
    public var learningRate: Double?
    public var options: [String: ConfigValue] = [:]

    public init(name: String = "adam", learningRate: Double? = nil) {
        self.name = name
        self.learningRate = learningRate
    }
}

/// The data: files for training and, optionally, validation.
public struct DataSpec: Sendable {
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// "idx", "csv" or "npy".
    public var format = "idx"
    public var trainFeatures: String? = DataSpec.fashionMNISTDirectory + "/train-images-idx3-ubyte.gz"
    public var trainLabels: String? = DataSpec.fashionMNISTDirectory + "/train-labels-idx1-ubyte.gz"
    public var validationFeatures: String? = DataSpec.fashionMNISTDirectory + "/t10k-images-idx3-ubyte.gz"
    public var validationLabels: String? = DataSpec.fashionMNISTDirectory + "/t10k-labels-idx1-ubyte.gz"
    /// Keras's `validation_split`: the last fraction of the training samples, used when no
    /// validation files are given.
    public var validationSplit: Double = 0
    /// Multiplier applied to byte features (images): 1/255 maps pixels to [0, 1].
    public var rescale: Double?
    /// Number of classes of class-index labels.
    public var classes = 10
    /// Use only the first N training (and validation) samples; 0 for all.
    public var limit = 0
    /// Validate on the first N validation samples only; 0: as `limit` says. Takes precedence
    /// over `limit` for the validation data.
    public var validationLimit = 0
    /// CSV: the label column, by name or 0-based index; default the last.
    public var labelColumn: String?
    /// CSV: the field separator.
    public var delimiter = ","
    /// Per-sample feature shape override, e.g. [28, 28, 1] for Conv2D.
    public var featureShape: [Int]?

    public init() {}
}
