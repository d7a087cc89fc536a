import CFuzzDriver
import Foundation
import TrainerExpression

/// Fuzzes the expression language (StopWhen's `condition`, LearningRateScheduler's `schedule`)
/// and the Python format templates (ModelCheckpoint's `filepath`): any text either parses or
/// throws, and what parses evaluates or formats without trapping.
@main
enum FuzzExpression {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }

    static func test(_ text: String) {
        if let expression = try? Expression(text, allowedVariables: nil) {
            let values = expression.variables.indices.map { Double($0) - 1.5 }
            _ = expression.evaluate(slots: values)
            _ = expression.evaluate(slots: values.map { _ in .nan })
        }
        _ = try? Expression(text, allowedVariables: ["epoch", "lr", "initial_lr"])
        if let template = try? FormatTemplate(text) {
            _ = try? template.format { name in name.count % 2 == 0 ? .int(Int.max - name.count) : .float(-1e300) }
        }
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzExpression.test(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
