/// The data file formats the loaders read.
public enum DataFormat: String, Sendable, CaseIterable {
    /// IDX arrays (MNIST): `IDXFile`, `IDXDataset`.
    case idx
    /// Comma- (or otherwise) separated text: `CSVDataset`.
    case csv
    /// NumPy `.npy` arrays: `NPYFile`, `NPYDataset`.
    case npy

    /// The format a file's name suggests, ignoring a trailing `.gz`: `.npy`; `.csv`, `.tsv`
    /// or `.txt`; `.idx`, `-ubyte` or `.idxN-ubyte` style names. Nil when the name says nothing.
    public init?(inferringFrom path: String) {
        var name = Substring(path.split(separator: "/").last ?? Substring(path)).lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".npy") {
            self = .npy
        } else if name.hasSuffix(".csv") || name.hasSuffix(".tsv") || name.hasSuffix(".txt") {
            self = .csv
        } else if name.hasSuffix(".idx") || name.hasSuffix("ubyte") || name.contains("-idx") || name.contains(".idx") {
            self = .idx
        } else {
            return nil
        }
    }
}
