import CFuzzDriver
import Foundation
@testable import TrainerRun

/// Fuzzes the TOML configuration: TOML parsing, every key's checks, the model it describes
/// (built for a small input), and the in-place editing of `trainer plugins enable/disable`,
/// which must give back the text it read when it changes nothing.
@main
enum FuzzConfig {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }

    static func test(_ text: String) {
        let document = TOMLDocument(text)
        precondition(document.text + (text.unicodeScalars.last == "\n" ? "\n" : "") == text,
                     "TOMLDocument does not give back the text it read")
        guard let config = try? ConfigLoader.parse(text, source: "fuzz.toml") else { return }
        _ = try? ModelFactory.model(config.model, inputShape: [4, 4, 1], maxBatch: 2, seed: 1, source: "fuzz.toml")
        guard var editor = try? PluginsFileEditor(text: text, path: "fuzz.toml") else { return }
        editor.enable("StopAtAccuracy", set: [("threshold", .double(0.5)), ("monitor", .string("val_accuracy"))])
        editor.disable("History")
        _ = try? ConfigLoader.parse(editor.text, source: "fuzz.toml")
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzConfig.test(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
