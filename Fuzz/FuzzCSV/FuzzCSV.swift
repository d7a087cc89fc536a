import CFuzzDriver
import Foundation
@testable import TrainerData

/// Fuzzes the CSV reader as `CSVDataset.load` runs it (gzip detection, rows, quoting, numbers,
/// labels), with a header detected, named label columns and float targets in turn.
@main
enum FuzzCSV {
    static func main() {
        exit(fuzz_driver_run(CommandLine.argc, CommandLine.unsafeArgv))
    }


    static let options: [CSVDataset.Options] = [
        .init(),
        .init(delimiter: ";", header: .present, label: .name("label"), targets: .classes(count: 10)),
        .init(delimiter: "\t", header: .absent, label: .index(-2), targets: .values),
    ]

    static func test(_ bytes: UnsafeRawBufferPointer) {
        for options in options {
            let raw = OwnedBuffer(capacity: bytes.count)
            if let base = bytes.baseAddress { raw.base.copyMemory(from: base, byteCount: bytes.count) }
            raw.count = bytes.count
            guard let file = try? DataFile.decode(raw, path: "fuzz.csv"),
                  let dataset = try? CSVDataset.parse(file, delimiter: options.delimiter.asciiValue!,
                                                      source: "fuzz.csv", options: options) else { continue }
            _ = try? dataset.validationSplit(0.5)
            _ = dataset.prefix(3)
        }
    }
}

/// libFuzzer's entry point: one input, its bytes valid during the call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzCSV.test(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
