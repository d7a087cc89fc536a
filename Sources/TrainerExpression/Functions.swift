#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The functions an expression may call, and how many arguments each takes.
enum Function: String, CaseIterable, Sendable {
    case exp, log, sqrt, pow, floor, ceil, abs, min, max, cos, sin

    /// The allowed argument counts: exactly one for most, two for `pow`, two or more for
    /// `min` and `max`.
    var arity: ClosedRange<Int> {
        switch self {
        case .pow: return 2...2
        case .min, .max: return 2...Int.max
        default: return 1...1
        }
    }

    var arityText: String {
        switch self {
        case .pow: return "2 arguments"
        case .min, .max: return "2 or more arguments"
        default: return "1 argument"
        }
    }

    /// The function applied to evaluated arguments (their count already checked).
    /// Domain errors give NaN, as in C (`log(-1)`, `sqrt(-1)`).
    func apply(_ a: [Double]) -> Double {
        switch self {
        case .exp: return cExp(a[0])
        case .log: return cLog(a[0])
        case .sqrt: return a[0].squareRoot()
        case .pow: return cPow(a[0], a[1])
        case .floor: return a[0].rounded(.down)
        case .ceil: return a[0].rounded(.up)
        case .abs: return Swift.abs(a[0])
        case .cos: return cCos(a[0])
        case .sin: return cSin(a[0])
        // A NaN argument gives NaN, whatever its position.
        case .min: return a.contains(where: \.isNaN) ? .nan : a.min()!
        case .max: return a.contains(where: \.isNaN) ? .nan : a.max()!
        }
    }

    static let names = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Named constants: `pi` and `e`.
enum Constant {
    static func value(_ name: String) -> Double? {
        switch name {
        case "pi": return Double.pi
        case "e": return M_E
        default: return nil
        }
    }
}

// The C library's functions, named apart from the cases of `Function` that share their names.
private func cExp(_ x: Double) -> Double { exp(x) }
private func cLog(_ x: Double) -> Double { log(x) }
private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
private func cCos(_ x: Double) -> Double { cos(x) }
private func cSin(_ x: Double) -> Double { sin(x) }
