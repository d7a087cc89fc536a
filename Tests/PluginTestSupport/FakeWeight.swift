/// One weight tensor a `FakeHost` shows its plugins: a name, a shape in Keras's order, and
/// row-major float32 values.
public struct FakeWeight: Equatable {
    public var name: String
    public var shape: [Int64]
    public var values: [Float]

    public init(name: String, shape: [Int64], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// A Dense layer's kernel "dense/kernel" [inputs, outputs] and bias "dense/bias" [outputs],
    /// every value `value`.
    public static func denseLayer(inputs: Int64 = 2, outputs: Int64 = 3, value: Float) -> [FakeWeight] {
        [FakeWeight(name: "dense/kernel", shape: [inputs, outputs],
                    values: [Float](repeating: value, count: Int(inputs * outputs))),
         FakeWeight(name: "dense/bias", shape: [outputs], values: [Float](repeating: value, count: Int(outputs)))]
    }
}
