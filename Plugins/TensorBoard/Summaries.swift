#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TensorBoardProto

/// The summary values the plugin writes, in the forms TensorBoard reads.
enum Summaries {
    /// A scalar in `simple_value`: TensorBoard's event accumulator lists it under Scalars, and
    /// its scalars dashboard shows it (it turns `simple_value` into a scalars-plugin tensor
    /// when loading). Stored as float32, as Keras writes its scalars.
    static func scalar(_ tag: String, _ value: Double) -> Tensorflow_Summary.Value {
        var summary = Tensorflow_Summary.Value()
        summary.tag = tag
        summary.simpleValue = Float(value)
        return summary
    }

    /// A histogram in `histo` (TensorFlow's classic HistogramProto), which TensorBoard's
    /// histograms and distributions dashboards read.
    static func histogram(_ tag: String, _ histogram: Histogram) -> Tensorflow_Summary.Value {
        var summary = Tensorflow_Summary.Value()
        summary.tag = tag
        summary.histo = histogram.proto
        return summary
    }

    /// Markdown text for TensorBoard's text dashboard: a scalar string tensor owned by the
    /// "text" plugin (content: a TextPluginData of version 0, which encodes as no bytes), as
    /// `tf.summary.text` writes it.
    static func text(_ tag: String, _ markdown: String) -> Tensorflow_Summary.Value {
        var summary = Tensorflow_Summary.Value()
        summary.tag = tag
        summary.metadata.pluginData.pluginName = "text"
        summary.metadata.pluginData.content = Data()
        summary.metadata.dataClass = .tensor
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtString
        tensor.tensorShape = Tensorflow_TensorShapeProto()
        tensor.stringVal = [Data(markdown.utf8)]
        summary.tensor = tensor
        return summary
    }
}

extension Tensorflow_Summary {
    init(_ values: [Tensorflow_Summary.Value]) {
        self.init()
        value = values
    }
}
