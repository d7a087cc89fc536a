import Foundation

/// `trainer plugins new NAME --lang c|swift|rust`: a standalone plugin project, written from
/// the SDK's templates (`sdk/templates/<language>`, installed in `share/trainer/templates`),
/// that builds outside the repository against this trainer's SDK with one command.
public enum PluginScaffold {
    public enum Language: String, CaseIterable, Sendable {
        case c, swift, rust

        /// The one command that builds the project, and where it puts the plugin.
        func build(name: String) -> (command: String, library: String) {
            switch self {
            case .c: return ("make", "lib\(name).so")
            case .swift: return ("swift build -c release", ".build/release/lib\(name).so")
            case .rust: return ("cargo build --release --offline", "target/release/lib\(PluginScaffold.crateName(name)).so")
            }
        }
    }

    /// Writes the project for plugin `name` into `output` (default `./NAME`), which must not
    /// exist or be empty. Returns what it wrote and how to build and run it.
    public static func create(name: String, language: Language, output: String? = nil,
                              sdk: SDKLocation, trainer: String) throws -> String {
        guard isValidName(name) else {
            throw UsageProblem("plugin name \"\(name)\" is not usable: it becomes the plugin's id, a type and a file name, "
                + "so it must start with a letter and hold only ASCII letters, digits and '_' (at most 64)")
        }
        let output = output ?? name
        let files = FileManager.default
        if let existing = try? files.contentsOfDirectory(atPath: output), !existing.isEmpty {
            throw UsageProblem("cannot write the project into \(output): it exists and is not empty")
        }
        let template = (sdk.templatesDirectory as NSString).appendingPathComponent(language.rawValue)
        guard let relativePaths = files.enumerator(atPath: template)?.compactMap({ $0 as? String }) else {
            throw UsageProblem("no \(language.rawValue) project template at \(template)")
        }
        let substitutions = [
            "@NAME@": name,
            "@CRATE@": crateName(name),
            "@INCLUDE_DIR@": sdk.includeDirectory,
            "@SWIFT_SDK@": sdk.swiftPackage,
            "@RUST_CRATE@": sdk.rustCrate ?? "",
            "@TRAINER@": trainer,
        ]
        func substitute(_ text: String) -> String {
            substitutions.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        if language == .rust, sdk.rustCrate == nil {
            throw UsageProblem("this \(sdk.layout.rawValue) (\(sdk.root)) has no Rust crate trainer-plugin to build against")
        }
        var written: [String] = []
        try UsageProblem.wrap {
            try files.createDirectory(atPath: output, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for relative in relativePaths.sorted() {
                let source = (template as NSString).appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                guard files.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                let destination = (output as NSString).appendingPathComponent(substitute(relative))
                try files.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                          withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                let text = try String(contentsOfFile: source, encoding: .utf8)
                guard files.createFile(atPath: destination, contents: Data(substitute(text).utf8),
                                       attributes: [.posixPermissions: 0o644]) else {
                    throw UsageProblem("cannot write \(destination)")
                }
                written.append(substitute(relative))
            }
        }
        let (command, library) = language.build(name: name)
        let libraryDirectory = (library as NSString).deletingLastPathComponent
        let pluginsDirectory = libraryDirectory.isEmpty ? output : (output as NSString).appendingPathComponent(libraryDirectory)
        return """
            Wrote the \(language.rawValue) plugin \(name) into \(output): \(written.joined(separator: ", ")).
            Build it:  cd \(output) && \(command)
            Try it:    \(trainer) train --plugins-dir \(pluginsDirectory) --plugin \(name) --epochs 2
            Install:   \(trainer) plugins install \(output)/\(library)
            """
    }

    /// A plugin name: a letter, then ASCII letters, digits and '_'; at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
              first.isASCII, first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// The Rust crate (and library) name: `StopAtLoss` → `stop_at_loss`.
    public static func crateName(_ name: String) -> String {
        var result = ""
        var previous: Character? = nil
        for character in name {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                result.append("_")
            }
            result += character.lowercased()
            previous = character
        }
        return result
    }
}
