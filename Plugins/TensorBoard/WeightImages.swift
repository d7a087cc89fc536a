#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TensorBoardProto
import TrainerPluginSDK

/// Keras's `write_images`: a weight tensor drawn as images (`_log_weight_as_image`), written as
/// `tf.summary.image` writes them.
///
/// The tensor is squeezed (dimensions of extent 1 dropped), then:
/// - rank 1 (a bias of n): one image n pixels high and 1 wide;
/// - rank 2 (a Dense kernel r × c): one image r high and c wide, transposed first when r > c;
/// - rank 3 (a, b, c, channels last): c images a high and b wide;
/// - rank 4 with a last extent of 3 or 4: the first extent counts images, the last is the
///   colour channels (RGB or RGBA), as Keras reshapes it;
/// - anything else (a scalar, a Conv2D kernel of rank 4 with many filters): no image.
///
/// Pixels are float weights converted as `tf.image.convert_image_dtype(saturate=True)` does:
/// v × 255.5, clamped to 0...255 and truncated, so negative weights are black and weights of 1
/// or more white. As in `tf.summary.image` (max_outputs 3), at most the first 3 images are kept.
/// The summary value is a string tensor [width, height, png, ...] for TensorBoard's "images"
/// plugin, tagged `<weight>/image`.
enum WeightImages {
    static let maxImages = 3

    /// The summary value for `weight`, or nil when Keras would draw no image of its shape.
    static func summary(_ weight: TensorView) -> Tensorflow_Summary.Value? {
        guard let layout = layout(shape: weight.shape) else { return nil }
        let values = weight.data
        var pngs: [Data] = []
        for image in 0..<min(layout.count, maxImages) {
            var pixels = [UInt8](repeating: 0, count: layout.height * layout.width * layout.channels)
            for y in 0..<layout.height {
                for x in 0..<layout.width {
                    for c in 0..<layout.channels {
                        let source = layout.index(image, y, x, c)
                        pixels[(y * layout.width + x) * layout.channels + c] = pixel(values[source])
                    }
                }
            }
            pngs.append(Data(PNG.encode(width: layout.width, height: layout.height,
                                        channels: layout.channels, pixels: pixels)))
        }
        var summary = Tensorflow_Summary.Value()
        summary.tag = weight.name + "/image"
        summary.metadata.pluginData.pluginName = "images"
        summary.metadata.dataClass = .blobSequence
        var tensor = Tensorflow_TensorProto()
        tensor.dtype = .dtString
        var dimension = Tensorflow_TensorShapeProto.Dim()
        dimension.size = Int64(2 + pngs.count)
        tensor.tensorShape.dim = [dimension]
        tensor.stringVal = [Data(String(layout.width).utf8), Data(String(layout.height).utf8)] + pngs
        summary.tensor = tensor
        return summary
    }

    /// `tf.image.convert_image_dtype(v, tf.uint8, saturate=True)` for one value.
    static func pixel(_ value: Float) -> UInt8 {
        guard !value.isNaN else { return 0 }
        let scaled = value * 255.5
        if scaled <= 0 { return 0 }
        if scaled >= 255 { return 255 }
        return UInt8(scaled)   // truncates, as a cast does
    }

    /// Which images a tensor of `shape` makes, and where each pixel's value is.
    struct Layout: Equatable {
        var count: Int
        var height: Int
        var width: Int
        var channels: Int
        /// Row-major strides of the squeezed tensor, for image, y, x and channel.
        var strides: (image: Int, y: Int, x: Int, channel: Int)

        func index(_ image: Int, _ y: Int, _ x: Int, _ channel: Int) -> Int {
            image * strides.image + y * strides.y + x * strides.x + channel * strides.channel
        }

        static func == (a: Layout, b: Layout) -> Bool {
            (a.count, a.height, a.width, a.channels) == (b.count, b.height, b.width, b.channels)
                && a.strides == b.strides
        }
    }

    static func layout(shape: [Int]) -> Layout? {
        let squeezed = shape.filter { $0 != 1 }
        guard !shape.contains(0) else { return nil }
        switch squeezed.count {
        case 1:
            return Layout(count: 1, height: squeezed[0], width: 1, channels: 1, strides: (0, 1, 0, 0))
        case 2:
            let (rows, columns) = (squeezed[0], squeezed[1])
            if rows > columns {
                // Transposed: image row y is tensor column y.
                return Layout(count: 1, height: columns, width: rows, channels: 1, strides: (0, 1, columns, 0))
            }
            return Layout(count: 1, height: rows, width: columns, channels: 1, strides: (0, columns, 1, 0))
        case 3:
            // (a, b, c) -> transpose [2, 0, 1] -> c images of a × b.
            let (a, b, c) = (squeezed[0], squeezed[1], squeezed[2])
            return Layout(count: c, height: a, width: b, channels: 1, strides: (1, b * c, c, 0))
        case 4 where squeezed[3] == 3 || squeezed[3] == 4:
            let (k, h, w, c) = (squeezed[0], squeezed[1], squeezed[2], squeezed[3])
            return Layout(count: k, height: h, width: w, channels: c, strides: (h * w * c, w * c, c, 1))
        default:
            return nil
        }
    }
}
