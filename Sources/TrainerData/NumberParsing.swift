#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a decimal number from the bytes `start ..< end` (surrounding spaces and tabs allowed),
/// returning nil when they are not exactly one number.
///
/// Plain decimals of up to 15 digits without an exponent (`12`, `-0.5`) are converted
/// directly, exactly as `strtod` would round them; anything else (exponents, long mantissas,
/// `inf`, `nan`) goes through `strtod`. The byte at `end` must be readable and must not
/// continue a number (a delimiter, newline, quote or the terminating zero).
@inline(__always)
func parseNumber(_ text: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Double? {
    var i = start
    while i < end, text[i] == 0x20 || text[i] == 0x09 { i += 1 }
    var last = end
    while last > i, text[last - 1] == 0x20 || text[last - 1] == 0x09 { last -= 1 }
    guard i < last else { return nil }

    // Fast path: [+-]digits[.digits], at most 15 digits in all.
    var p = i
    var negative = false
    if text[p] == 0x2D { negative = true; p += 1 } else if text[p] == 0x2B { p += 1 }
    var mantissa: Int64 = 0
    var digits = 0
    var fractionDigits = 0
    var seenPoint = false
    var simple = p < last
    while p < last {
        let byte = text[p]
        if byte >= 0x30 && byte <= 0x39 {
            // Past 15 digits the general path takes over; stop before Int64 could overflow.
            if digits < 15 { mantissa = mantissa * 10 + Int64(byte - 0x30) }
            digits += 1
            if seenPoint { fractionDigits += 1 }
        } else if byte == 0x2E && !seenPoint {
            seenPoint = true
        } else {
            simple = false
            break
        }
        p += 1
    }
    if simple, digits > 0, digits <= 15 {
        // Both operands are exact doubles, so one correctly rounded division gives the
        // correctly rounded value of the decimal.
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
        return negative ? -value : value
    }

    // General path.
    var stop: UnsafeMutablePointer<CChar>? = nil
    let value = UnsafeRawPointer(text + i).withMemoryRebound(to: CChar.self, capacity: last - i + 1) {
        strtod($0, &stop)
    }
    guard let stop else { return nil }
    let consumed = UnsafeRawPointer(stop) - UnsafeRawPointer(text + i)
    return consumed == last - i ? value : nil
}

private let powersOfTen: [Double] = (0 ... 22).map { exponent in
    var value = 1.0
    for _ in 0 ..< exponent { value *= 10 }
    return value
}
