/// A set of samples the engine can train on: features and targets, gathered a batch at a time.
///
/// The engine asks for batches by sample index into buffers it owns and reuses, so a dataset
/// keeps its samples in whatever form is smallest (bytes for images) and converts to Float
/// only for the batch being gathered.
public protocol Dataset: AnyObject {
    /// Number of samples.
    var count: Int { get }
    /// Shape of one sample's features, e.g. `[28, 28]` for a grey image.
    var featureShape: [Int] { get }
    /// Shape of one sample's target: `[]` for a class index or a single value, `[k]` for a
    /// one-hot or multi-output target.
    var targetShape: [Int] { get }
    /// Number of classes when targets are class indices (`0 ..< classCount`), else nil.
    var classCount: Int? { get }
    /// Writes the features of the samples at `indices`, one after another, to `features`
    /// (`indices.count * product(featureShape)` floats), and their targets to `targets`
    /// (`indices.count * product(targetShape)` floats; a class index is written as its value).
    /// Allocates nothing. The engine may call it from several threads at once, each with its
    /// own part of a batch (disjoint indices and outputs), so it must only read shared state.
    func gather(_ indices: UnsafeBufferPointer<Int>, features: UnsafeMutablePointer<Float>,
                targets: UnsafeMutablePointer<Float>)
}

extension Dataset {
    /// Floats in one sample's features.
    public var featureSize: Int { featureShape.reduce(1, *) }
    /// Floats in one sample's target.
    public var targetSize: Int { targetShape.reduce(1, *) }
}
