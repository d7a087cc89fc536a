/// Sizes read from a shape (the per-sample dimensions) with plain loops. Steps read them, and
/// `reduce` and `last`, generic algorithms that an unoptimised (debug) build calls without
/// specialising them, allocate there on every call (each element is read through Array's
/// protocol witness, whose accessor allocates its frame); so does a for-in loop over an array,
/// which code run in every step replaces by a loop over indices.
extension Array where Element == Int {
    /// The product of the dimensions: the floats in one sample (1 for no dimension).
    var elementCount: Int {
        var n = 1
        for i in 0..<count { n *= self[i] }
        return n
    }

    /// The last dimension (1 for none): the channels, features or classes of a sample.
    var lastDimension: Int { count == 0 ? 1 : self[count - 1] }
}
