/// The size a file's header says its whole content has (header included), read from the
/// content's first bytes. Gzip decompression stops there, so a small compressed file cannot
/// expand into more memory than its header claims, whatever its stream holds.
struct DeclaredSize: Equatable {
    /// Bytes of the whole content, header included.
    var bytes: Int
    /// Who declares it, for messages: "its IDX header declares (dimensions [2, 28, 28] of
    /// 1-byte elements)".
    var declaredBy: String

    /// Reads the declared size from the first bytes of a content: nil while they are too few
    /// to tell; throws `DataError` when the header is wrong.
    typealias Reader = (UnsafeRawBufferPointer) throws -> DeclaredSize?
}
