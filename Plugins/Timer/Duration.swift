/// Durations as Lightning's `Timer` writes and reads them.
enum Duration {
    /// Seconds in "DD:HH:MM:SS" (days any number of digits, the rest two digits each, as
    /// Lightning's `(\d+):(\d\d):(\d\d):(\d\d)`) or "HH:MM:SS" (hours any number of digits).
    /// Surrounding spaces are ignored; fields are not range-checked ("00:00:90:00" is 90
    /// minutes), as `timedelta` does not check them. Nil for anything else.
    static func seconds(parsing text: String) -> Double? {
        let fields = text.trimmingSpaces().split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3 || fields.count == 4 else { return nil }
        var numbers: [Int] = []
        for (index, field) in fields.enumerated() {
            let isFirst = index == 0
            guard !field.isEmpty, field.allSatisfy({ $0.isASCII && $0.isNumber }),
                  isFirst || field.count == 2, field.count <= 9, let number = Int(field)
            else { return nil }
            numbers.append(number)
        }
        if numbers.count == 3 { numbers.insert(0, at: 0) }
        let (days, hours, minutes, seconds) = (numbers[0], numbers[1], numbers[2], numbers[3])
        return Double(((days * 24 + hours) * 60 + minutes) * 60 + seconds)
    }

    /// `str(timedelta(seconds=n))`: "H:MM:SS", or "D day(s), H:MM:SS".
    static func format(wholeSeconds total: Int) -> String {
        let days = total / 86_400
        let rest = total % 86_400
        let clock = "\(rest / 3600):" + twoDigits(rest / 60 % 60) + ":" + twoDigits(rest % 60)
        guard days > 0 else { return clock }
        return "\(days) day\(days == 1 ? "" : "s"), " + clock
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

private extension String {
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
