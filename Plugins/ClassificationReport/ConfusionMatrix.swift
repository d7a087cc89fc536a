/// Counts of (true class, predicted class) pairs over `classes` classes, and the scores
/// scikit-learn's `classification_report` derives from them.
struct ConfusionMatrix: Equatable {
    let classes: Int
    /// Row-major: counts[t * classes + p] samples of class t predicted as p.
    private(set) var counts: [Int]

    init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: 0, count: classes * classes)
    }

    mutating func add(truth: Int, predicted: Int) {
        counts[truth * classes + predicted] += 1
    }

    func count(truth: Int, predicted: Int) -> Int { counts[truth * classes + predicted] }

    /// Samples counted.
    var total: Int { counts.reduce(0, +) }

    /// Per class: precision tp / (tp + fp), recall tp / (tp + fn), F1 their harmonic mean,
    /// each 0 where its denominator is 0 (scikit-learn's `zero_division=0`).
    func scores(of c: Int) -> (precision: Double, recall: Double, f1: Double) {
        let tp = Double(count(truth: c, predicted: c))
        let predicted = Double((0..<classes).reduce(0) { $0 + count(truth: $1, predicted: c) })
        let actual = Double((0..<classes).reduce(0) { $0 + count(truth: c, predicted: $1) })
        let precision = predicted > 0 ? tp / predicted : 0
        let recall = actual > 0 ? tp / actual : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return (precision, recall, f1)
    }

    /// The classes that occur as a truth or a prediction: the labels scikit-learn averages
    /// over when it is given none.
    var presentClasses: [Int] {
        (0..<classes).filter { c in
            (0..<classes).contains { count(truth: c, predicted: $0) > 0 || count(truth: $0, predicted: c) > 0 }
        }
    }

    /// Unweighted means over the present classes (scikit-learn's `average="macro"`).
    var macro: (precision: Double, recall: Double, f1: Double) {
        let labels = presentClasses
        guard !labels.isEmpty else { return (0, 0, 0) }
        var sum = (precision: 0.0, recall: 0.0, f1: 0.0)
        for c in labels {
            let s = scores(of: c)
            sum.precision += s.precision
            sum.recall += s.recall
            sum.f1 += s.f1
        }
        let n = Double(labels.count)
        return (sum.precision / n, sum.recall / n, sum.f1 / n)
    }

    /// CSV: a header row `true\predicted,0,1,...`, then one row per true class.
    func csv() -> String {
        var text = "true\\predicted," + (0..<classes).map(String.init).joined(separator: ",") + "\n"
        for t in 0..<classes {
            text += "\(t)," + (0..<classes).map { String(count(truth: t, predicted: $0)) }.joined(separator: ",") + "\n"
        }
        return text
    }
}

/// The class a prediction or a target names: the largest output (ties: the first), a class
/// index given as a float, or for one output a probability above one half (binary).
enum ClassOf {
    static func output(_ values: UnsafeBufferPointer<Float>) -> Int {
        if values.count == 1 { return values[0] > 0.5 ? 1 : 0 }
        var best = 0
        for i in 1..<values.count where values[i] > values[best] { best = i }
        return best
    }

    /// nil for a target that names no class (a negative, fractional or too large index).
    static func target(_ values: UnsafeBufferPointer<Float>, classes: Int) -> Int? {
        if values.count == 1 {
            let value = values[0]
            guard value.isFinite, value >= 0, value.rounded() == value, Int(value) < classes else { return nil }
            return Int(value)
        }
        return output(values)
    }
}
