/// Every plugin found on a search path: those that loaded, and those that did not, with why.
public final class PluginRegistry: @unchecked Sendable {
    public let searchPath: PluginSearchPath
    /// Valid plugins in discovery order.
    public private(set) var plugins: [LoadedPlugin] = []
    /// Files that are not usable plugins, in discovery order.
    public private(set) var invalid: [InvalidPlugin] = []

    /// Discovers and loads every plugin file on the path.
    public init(searchPath: PluginSearchPath) {
        self.searchPath = searchPath
        for path in searchPath.pluginFiles() {
            switch PluginLoader.load(path: path) {
            case .failure(let problem):
                invalid.append(problem)
            case .success(let plugin):
                if let first = self.plugin(id: plugin.id) {
                    invalid.append(InvalidPlugin(
                        path: path, reason: "duplicate id \"\(plugin.id)\" (already provided by \(first.path))",
                        id: plugin.id))
                } else {
                    plugins.append(plugin)
                }
            }
        }
    }

    /// The plugin with this id, matched case-insensitively.
    public func plugin(id: String) -> LoadedPlugin? {
        let wanted = id.lowercased()
        return plugins.first { $0.id.lowercased() == wanted }
    }

    /// An error for an id no valid plugin has, saying what was found instead.
    public func unknownPluginError(_ id: String) -> String {
        if let broken = invalid.first(where: { $0.id?.lowercased() == id.lowercased() }) {
            return "plugin \"\(id)\" is invalid: \(broken.description)"
        }
        let known = plugins.map(\.id).joined(separator: ", ")
        if known.isEmpty {
            let searched = searchPath.directories.joined(separator: ", ")
            return "unknown plugin \"\(id)\" (no plugins found in \(searched); `swift build` builds the bundled ones next to trainer)"
        }
        return "unknown plugin \"\(id)\" (found: \(known))"
    }
}
