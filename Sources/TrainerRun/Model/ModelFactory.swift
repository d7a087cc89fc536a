import TrainerEngine

/// Builds the engine's model, loss and optimizer from a configuration's Keras names.
/// Every option is checked: an unknown layer, option or value is an error naming the key.
enum ModelFactory {
    static func layers(_ specs: [LayerSpec], source: String) throws -> [Layer] {
        try specs.map { try layer($0, source: source) }
    }

    static let layerTypes = ["Dense", "Flatten", "Activation"]

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
        default:
            throw options.error("type", "unknown layer \"\(spec.type)\" (known: \(layerTypes.joined(separator: ", ")))")
        }
        return made
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
