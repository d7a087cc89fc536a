/// Loading an images file and a labels file in IDX format (MNIST, Fashion-MNIST) as a data set.
public enum IDXDataset {
    /// Which half of an MNIST-style directory to load.
    public enum Split: String, Sendable {
        case train
        case test

        /// The file name prefix MNIST uses for the split.
        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// The images in `images` (`[n, ...]`) with the labels in `labels` (`[n]`).
    ///
    /// Byte images stay bytes and are converted by `normalization` per gathered batch; other
    /// element types become Floats. Feature shape is the images' shape after the sample axis
    /// (`[28, 28]` for MNIST; view it as `[28, 28, 1]` with `reshaped(featureShape:)`).
    ///
    /// - Parameter targets: `.classes(count: 10)` by default; labels outside `0 ..< count`
    ///   are an error.
    /// - Throws: `DataError` naming the file at fault: missing, bad magic, data size not
    ///   matching the dimensions, images and labels counting different samples, or a label
    ///   out of range.
    public static func load(images: String, labels: String, targets: TargetKind = .classes(count: 10),
                            normalization: ByteNormalization = .unitInterval) throws -> InMemoryDataset {
        let imageArray = try IDXFile.read(images)
        let labelArray = try IDXFile.read(labels)
        return try InMemoryDataset(features: imageArray, labels: labelArray, targets: targets,
                                   normalization: normalization)
    }

    /// One split of a directory laid out as MNIST is distributed:
    /// `train-images-idx3-ubyte[.gz]` with `train-labels-idx1-ubyte[.gz]`, and the same with
    /// `t10k` for the test split. A plain file is used when present, else the `.gz` one.
    public static func load(directory: String, split: Split, targets: TargetKind = .classes(count: 10),
                            normalization: ByteNormalization = .unitInterval) throws -> InMemoryDataset {
        let paths = try files(in: directory, split: split)
        return try load(images: paths.images, labels: paths.labels, targets: targets,
                        normalization: normalization)
    }

    /// The images and labels files of `split` in an MNIST-style `directory`.
    ///
    /// - Throws: `DataError(.missingFile)` naming the file looked for when neither it nor its
    ///   `.gz` form exists.
    public static func files(in directory: String, split: Split) throws -> (images: String, labels: String) {
        func find(_ name: String) throws -> String {
            let base = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            for candidate in [base, base + ".gz"] where fileExists(candidate) {
                return candidate
            }
            throw DataError(.missingFile, file: base, "no such file (nor \(name).gz)")
        }
        return (try find("\(split.prefix)-images-idx3-ubyte"), try find("\(split.prefix)-labels-idx1-ubyte"))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}
