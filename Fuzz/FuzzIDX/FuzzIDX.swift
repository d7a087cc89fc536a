import CFuzzDriver
import Foundation
@testable import TrainerData

/// Fuzzes the IDX reader as `IDXFile.read` runs it: gzip detection and decompression up to the
/// size the header declares, the header, the data, and the views a data set makes of it.
@main
enum FuzzIDX {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }

    static func test(_ bytes: UnsafeRawBufferPointer) {
        let raw = OwnedBuffer(capacity: bytes.count)
        if let base = bytes.baseAddress { raw.base.copyMemory(from: base, byteCount: bytes.count) }
        raw.count = bytes.count
        let source = "fuzz-idx3-ubyte"
        guard let file = try? DataFile.decode(raw, path: source, declared: { try IDXFile.declaredSize($0, source: source) }),
              let array = try? IDXFile.parse(file, source: source) else { return }
        _ = array.floats().reduce(0, +)
        // As a data set: the array as images with labels 0, 1, 0, ...
        if let samples = array.shape.first, samples > 0, samples < 1 << 16 {
            let labels = NumericArray(shape: [samples], elementType: .uint8, source: "labels",
                                      storage: OwnedBuffer(copying: (0 ..< samples).map { UInt8($0 % 2) }))
            _ = try? InMemoryDataset(features: array, labels: labels, targets: .classes(count: 2),
                                     normalization: .unitInterval)
        }
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzIDX.test(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
