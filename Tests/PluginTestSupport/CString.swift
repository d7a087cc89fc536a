/// A C string the plugin owns (a descriptor's id, a spec's name or choices), read as a Swift
/// string; NULL reads as "".
public func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
