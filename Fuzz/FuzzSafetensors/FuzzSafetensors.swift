import CFuzzDriver
import Foundation
@testable import TrainerEngine

/// Fuzzes the safetensors reader (`--weights`, checkpoints): the header length, the JSON header,
/// shapes, offsets and data, checked before anything is allocated.
@main
enum FuzzSafetensors {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }

    static func test(_ data: Data) {
        guard let (tensors, _) = try? Safetensors.parse(data, path: "fuzz.safetensors") else { return }
        _ = tensors.reduce(0) { $0 + $1.values.count }
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzSafetensors.test(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}
