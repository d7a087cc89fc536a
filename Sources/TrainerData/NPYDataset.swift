/// Loading a features `.npy` file and a labels `.npy` file as a data set.
public enum NPYDataset {
    /// The samples along the first axis of the arrays in `features` and `labels`.
    ///
    /// `|u1` features stay bytes and are converted by `normalization` per gathered batch;
    /// other dtypes become Floats. Labels are class indices (`[n]` or `[n, 1]`, whole numbers,
    /// the class count taken from the data when nil) or, with `.values`, Float targets of shape
    /// `labels.shape[1...]`.
    ///
    /// - Throws: `DataError` naming the file at fault (see `NPYFile.read`), or when the two
    ///   files count different samples or a label is not a valid class index.
    public static func load(features: String, labels: String, targets: TargetKind = .classes(count: nil),
                            normalization: ByteNormalization = .unitInterval) throws -> InMemoryDataset {
        let featureArray = try NPYFile.read(features)
        let labelArray = try NPYFile.read(labels)
        return try InMemoryDataset(features: featureArray, labels: labelArray, targets: targets,
                                   normalization: normalization)
    }
}
