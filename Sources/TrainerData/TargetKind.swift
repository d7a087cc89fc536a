/// How a loader reads the label (target) values of a data file.
public enum TargetKind: Sendable, Equatable {
    /// Class indices `0 ..< count` (targetShape `[]`). A nil count is taken from the data as
    /// the largest label + 1. Labels must be whole numbers; anything else is an error.
    case classes(count: Int?)
    /// Float values (regression targets, one-hot rows): each sample's target is the rest of
    /// its row, shape `shape[1...]` of the label array.
    case values
}
