import Foundation
import TrainerPluginSDK

/// The `headers` parameter: Keras takes a dict; here it is text in one of two forms,
///
///     Authorization: Bearer abc; X-Run: 7
///     {"Authorization": "Bearer abc", "X-Run": "7"}
///
/// `Name: value` pairs separated by `;` (a value cannot hold `;`), or a JSON object whose
/// values are strings. Empty text means no extra headers. Names must be HTTP tokens; values
/// may not hold line breaks.
enum HTTPHeaders {
    static func parse(_ text: String) throws -> [(name: String, value: String)] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        let pairs = trimmed.hasPrefix("{") ? try parseJSON(trimmed) : try parsePairs(trimmed)
        for (name, value) in pairs {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else {
                throw PluginError("headers: '\(name)' is not a valid header name")
            }
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw PluginError("headers: the value of \(name) holds a line break")
            }
        }
        return pairs
    }

    private static func parsePairs(_ text: String) throws -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let entry = part.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            guard let colon = entry.firstIndex(of: ":") else {
                throw PluginError("headers: '\(entry)' is not 'Name: value' "
                                  + "(pairs are separated by ';', or give a JSON object)")
            }
            pairs.append((entry[..<colon].trimmingCharacters(in: .whitespaces),
                          entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return pairs
    }

    private static func parseJSON(_ text: String) throws -> [(name: String, value: String)] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw PluginError("headers: not a valid JSON object: \(error.localizedDescription)")
        }
        guard let dictionary = object as? [String: Any] else {
            throw PluginError("headers: expected a JSON object of strings")
        }
        return try dictionary.keys.sorted().map { name in
            guard let value = dictionary[name] as? String else {
                throw PluginError("headers: the value of \(name) must be a string")
            }
            return (name, value)
        }
    }

    /// RFC 9110 tchar.
    private static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return "!#$%&'*+-.^_`|~".unicodeScalars.contains(c)
        }
    }
}
