import CTrainerPlugin
import TrainerABI

extension Host {
    /// The table of extension `id` as this SDK knows its type: the part the host's
    /// struct_size covers is copied into a zeroed `T` (`CStruct.known`), so fields the host
    /// does not have are nil or zero. nil when the host lacks the extension.
    func extensionTable<T>(_ id: String, as type: T.Type) -> T? {
        guard let raw = `extension`(id: id) else { return nil }
        return CStruct.known(raw, as: T.self)
    }
}
