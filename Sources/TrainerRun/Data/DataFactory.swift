import TrainerData

/// Loads a run's training and validation data as its configuration describes.
enum DataFactory {
    struct Loaded {
        var training: InMemoryDataset
        var validation: InMemoryDataset?
    }

    static func load(_ spec: DataSpec, loss: String, source: String) throws -> Loaded {
        let targets: TargetKind = loss == "sparse_categorical_crossentropy" ? .classes(count: spec.classes) : .values
        let normalization = ByteNormalization(scale: spec.rescale ?? 1.0 / 255.0)
        guard let trainFeatures = spec.trainFeatures else {
            throw ConfigError(source: source, key: "data.train_features", "names no training data")
        }
        var training = try loadSet(features: trainFeatures, labels: spec.trainLabels, spec: spec, role: "train",
                                   targets: targets, normalization: normalization, source: source)
        var validation: InMemoryDataset? = nil
        if let validationFeatures = spec.validationFeatures {
            validation = try loadSet(features: validationFeatures, labels: spec.validationLabels, spec: spec,
                                     role: "validation", targets: targets, normalization: normalization, source: source)
        } else if spec.validationSplit > 0 {
            // Keras takes the split before anything else looks at the data.
            let parts = try training.validationSplit(spec.validationSplit)
            training = parts.training
            validation = parts.validation
        }
        if spec.limit > 0 { training = training.prefix(min(spec.limit, training.count)) }
        let validationLimit = spec.validationLimit > 0 ? spec.validationLimit : spec.limit
        if validationLimit > 0, let v = validation { validation = v.prefix(min(validationLimit, v.count)) }
        if let shape = spec.featureShape {
            training = try training.reshaped(featureShape: shape)
            validation = try validation?.reshaped(featureShape: shape)
        }
        return Loaded(training: training, validation: validation)
    }

    private static func loadSet(features: String, labels: String?, spec: DataSpec, role: String,
                                targets: TargetKind, normalization: ByteNormalization,
                                source: String) throws -> InMemoryDataset {
        switch spec.format {
        case "csv":
            let label: CSVDataset.LabelColumn
            if let column = spec.labelColumn {
                label = Int(column).map { .index($0) } ?? .name(column)
            } else {
                label = .last
            }
            guard let delimiter = spec.delimiter.first, spec.delimiter.count == 1 else {
                throw ConfigError(source: source, key: "data.delimiter", "must be one character")
            }
            return try CSVDataset.load(features, options: .init(delimiter: delimiter, label: label, targets: targets))
        case "npy":
            guard let labels else {
                throw ConfigError(source: source, key: "data.\(role)_labels", "is required with format \"npy\"")
            }
            return try NPYDataset.load(features: features, labels: labels, targets: targets, normalization: normalization)
        default:
            guard let labels else {
                throw ConfigError(source: source, key: "data.\(role)_labels", "is required with format \"idx\"")
            }
            return try IDXDataset.load(images: features, labels: labels, targets: targets, normalization: normalization)
        }
    }
}
