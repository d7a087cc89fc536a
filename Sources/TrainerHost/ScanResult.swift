/// What scanning one plugin file found: a descriptor that passed every check, or why the file
/// is not a usable plugin (with the plugin's id when it got far enough to say it). This is
/// what the scanner answers and what the registry cache keeps.
public enum ScanResult: Codable, Equatable, Sendable {
    case plugin(PluginDescriptor)
    case invalid(reason: String, id: String?)
}

/// How far the scanner got with a file: the step that was running when a plugin crashed,
/// exited or hung.
public enum ScanStage: String, Codable, Sendable {
    /// Loading the library, its dependencies and constructors.
    case dlopen
    /// Calling the plugin's entry function.
    case entry = "trainer_plugin_entry"
    /// Following the descriptor's pointers and checking it.
    case descriptor = "reading the descriptor"

    /// "in dlopen", "in trainer_plugin_entry", "while reading the descriptor".
    public var phrase: String {
        switch self {
        case .dlopen, .entry: return "in \(rawValue)"
        case .descriptor: return "while \(rawValue)"
        }
    }
}
