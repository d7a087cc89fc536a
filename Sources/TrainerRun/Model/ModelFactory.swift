import TrainerEngine

/// Builds the engine's model, loss and optimizer from a configuration's Keras names.
/// Every option is checked: an unknown layer, option or value is an error naming the key.
enum ModelFactory {
    /// The configured model, built for samples of `inputShape` and batches of up to
    /// `maxBatch`, and compiled. A layer that cannot be built (its input does not fit, it
    /// would not fit in memory) is an error naming the file, the layer's key and its name.
    static func model(_ spec: ModelSpec, inputShape: [Int], maxBatch: Int, seed: UInt64, source: String) throws -> Sequential {
        let model = Sequential(try layers(spec.layers, source: source))
        do {
            try model.build(inputShape: inputShape, maxBatch: maxBatch, seed: seed)
        } catch let error as LayerError {
            let index = model.layers.firstIndex { $0.name == error.layer }
            throw ConfigError(source: source, key: index.map { spec.layers[$0].key } ?? "model.layers", "\(error)")
        }
        model.compile(optimizer: try optimizer(spec.optimizer, source: source), loss: try loss(spec.loss, source: source),
                      metrics: spec.metrics)
        return model
    }

    static func layers(_ specs: [LayerSpec], source: String) throws -> [Layer] {
        try specs.map { try layer($0, source: source) }
    }

    static let layerTypes = ["Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout",
                             "BatchNormalization", "Activation"]

    static func layer(_ spec: LayerSpec, source: String) throws -> Layer {
        let options = ConfigReader(source: source, path: spec.key, values: spec.options)
        let name = try options.string("name")
        let made: Layer
        switch spec.type.lowercased() {
        case "dense":
            guard let units = try options.int("units", atLeast: 1) else { throw options.error("units", "is required for Dense") }
            made = Dense(units, activation: try activation(options) ?? .linear,
                         useBias: try options.bool("use_bias") ?? true, name: name)
            try options.rejectUnknownKeys(known: ["type", "units", "activation", "use_bias", "name"])
        case "flatten":
            made = Flatten(name: name)
            try options.rejectUnknownKeys(known: ["type", "name"])
        case "activation":
            guard let function = try activation(options) else { throw options.error("activation", "is required for Activation") }
            made = Activation(function, name: name)
            try options.rejectUnknownKeys(known: ["type", "activation", "name"])
        case "conv2d":
            guard let filters = try options.int("filters", atLeast: 1) else { throw options.error("filters", "is required for Conv2D") }
            guard let kernel = try pair(options, "kernel_size") else { throw options.error("kernel_size", "is required for Conv2D") }
            made = Conv2D(filters, kernelSize: kernel, strides: try pair(options, "strides") ?? (1, 1),
                          padding: try padding(options), activation: try activation(options) ?? .linear,
                          useBias: try options.bool("use_bias") ?? true, name: name)
            try options.rejectUnknownKeys(known: ["type", "filters", "kernel_size", "strides", "padding", "activation", "use_bias", "name"])
        case "maxpooling2d", "maxpool2d":
            made = MaxPooling2D(poolSize: try pair(options, "pool_size") ?? (2, 2), strides: try pair(options, "strides"),
                                padding: try padding(options), name: name)
            try options.rejectUnknownKeys(known: ["type", "pool_size", "strides", "padding", "name"])
        case "averagepooling2d", "avgpool2d":
            made = AveragePooling2D(poolSize: try pair(options, "pool_size") ?? (2, 2), strides: try pair(options, "strides"),
                                    padding: try padding(options), name: name)
            try options.rejectUnknownKeys(known: ["type", "pool_size", "strides", "padding", "name"])
        case "dropout":
            guard let rate = try options.double("rate") else { throw options.error("rate", "is required for Dropout") }
            guard rate >= 0, rate < 1 else { throw options.error("rate", "must be in [0, 1), not \(rate)") }
            made = Dropout(rate, name: name)
            try options.rejectUnknownKeys(known: ["type", "rate", "name"])
        case "batchnormalization":
            made = BatchNormalization(momentum: try options.double("momentum") ?? 0.99, epsilon: try options.double("epsilon") ?? 1e-3,
                                      center: try options.bool("center") ?? true, scale: try options.bool("scale") ?? true, name: name)
            try options.rejectUnknownKeys(known: ["type", "momentum", "epsilon", "center", "scale", "name"])
        default:
            throw options.error("type", "unknown layer \"\(spec.type)\" (known: \(layerTypes.joined(separator: ", ")))")
        }
        return made
    }

    /// Keras's `3` or `[3, 3]`.
    static func pair(_ options: ConfigReader, _ key: String) throws -> (Int, Int)? {
        guard let value = options.raw(key) else { return nil }
        switch value {
        case .int(let n) where n > 0: return (n, n)
        case .array(let items) where items.count == 2:
            if case .int(let a) = items[0], case .int(let b) = items[1], a > 0, b > 0 { return (a, b) }
        default: break
        }
        throw options.error(key, "must be a positive integer or a pair [h, w], not \(value)")
    }

    static func padding(_ options: ConfigReader) throws -> Padding {
        guard let text = try options.string("padding") else { return .valid }
        guard let padding = Padding(rawValue: text.lowercased()) else {
            throw options.error("padding", "must be \"valid\" or \"same\", not \"\(text)\"")
        }
        return padding
    }

    static func activation(_ options: ConfigReader) throws -> ActivationFunction? {
        guard let text = try options.string("activation") else { return nil }
        guard let function = ActivationFunction(kerasName: text) else {
            let known = ActivationFunction.allCases.map(\.rawValue).joined(separator: ", ")
            throw options.error("activation", "unknown activation \"\(text)\" (known: \(known))")
        }
        return function
    }

    static func loss(_ name: String, source: String) throws -> Loss {
        guard let loss = Losses.named(name) else {
            throw ConfigError(source: source, key: "model.loss", "unknown loss \"\(name)\" (known: \(Losses.names.joined(separator: ", ")))")
        }
        return loss
    }

    static func optimizer(_ spec: OptimizerSpec, source: String) throws -> Optimizer {
        let options = ConfigReader(source: source, path: "model.optimizer", values: spec.options)
        if let rate = spec.learningRate, !(rate.isFinite && rate >= 0) {
            throw options.error("learning_rate", "must be a non-negative number, not \(rate)")
        }
        let made: Optimizer
        switch spec.name.lowercased() {
        case "sgd":
            made = SGD(learningRate: spec.learningRate ?? 0.01, momentum: try options.double("momentum") ?? 0,
                       nesterov: try options.bool("nesterov") ?? false)
            try options.rejectUnknownKeys(known: ["name", "learning_rate", "momentum", "nesterov"])
        case "adam":
            made = Adam(learningRate: spec.learningRate ?? 0.001, beta1: try options.double("beta_1") ?? 0.9,
                        beta2: try options.double("beta_2") ?? 0.999, epsilon: try options.double("epsilon") ?? 1e-7)
            try options.rejectUnknownKeys(known: ["name", "learning_rate", "beta_1", "beta_2", "epsilon"])
        case "rmsprop":
            made = RMSprop(learningRate: spec.learningRate ?? 0.001, rho: try options.double("rho") ?? 0.9,
                           momentum: try options.double("momentum") ?? 0, epsilon: try options.double("epsilon") ?? 1e-7,
                           centered: try options.bool("centered") ?? false)
            try options.rejectUnknownKeys(known: ["name", "learning_rate", "rho", "momentum", "epsilon", "centered"])
        default:
            throw ConfigError(source: source, key: "model.optimizer.name",
                              "unknown optimizer \"\(spec.name)\" (known: \(Optimizers.names.joined(separator: ", ")))")
        }
        return made
    }
}
