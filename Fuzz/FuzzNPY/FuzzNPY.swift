import CFuzzDriver
import Foundation
@testable import TrainerData

/// Fuzzes the NumPy `.npy` reader as `NPYFile.read` runs it: gzip detection and decompression
/// up to the size the header declares, the header's dict literal, dtypes, shapes and data.
@main
enum FuzzNPY {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }

    static func test(_ bytes: UnsafeRawBufferPointer) {
        let raw = OwnedBuffer(capacity: bytes.count)
        if let base = bytes.baseAddress { raw.base.copyMemory(from: base, byteCount: bytes.count) }
        raw.count = bytes.count
        let source = "fuzz.npy"
        guard let file = try? DataFile.decode(raw, path: source, declared: { try NPYFile.declaredSize($0, source: source) }),
              let array = try? NPYFile.parse(file, source: source) else { return }
        _ = array.floats().reduce(0, +)
        if array.shape.count >= 1 {
            _ = try? InMemoryDataset(features: array, labels: array, targets: .values, normalization: .unitInterval)
        }
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzNPY.test(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
