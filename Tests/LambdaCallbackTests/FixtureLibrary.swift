// The fixture library the LambdaCallback tests point signatures at (Tests/Fixtures/lambda):
// built with cc, controlled through its own handle, read back through the lines it writes.
import Foundation
import PluginTestSupport

/// Tests/Fixtures/lambda: the fixture library's source and the allocation probe.
let lambdaFixtures = Repository.fixtures + "/lambda"

/// The fixture library (Tests/Fixtures/lambda/mine.c) built into `directory` as `name`.
func buildFixtureLibrary(into directory: String, name: String = "libmine.so") throws -> String {
    let path = directory + "/" + name
    try CCompiler.compile(["-shared", "-fPIC", lambdaFixtures + "/mine.c", "-o", path])
    return path
}

/// The fixture library's controls, through its own handle (the same one the plugin gets:
/// dlopen of the same file returns the loaded library).
struct FixtureLibrary {
    let path: String
    private let handle: UnsafeMutableRawPointer

    init(_ path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HarnessError("dlopen \(path): \(String(cString: dlerror()))")
        }
        self.path = path
        self.handle = handle
    }

    /// Lines go to `file`; stop_from as fixture_stop_from.
    func configure(output file: String, stopFrom: Int64 = -1) {
        typealias SetOutput = @convention(c) (UnsafePointer<CChar>?) -> Void
        typealias SetStop = @convention(c) (Int64) -> Void
        unsafeBitCast(dlsym(handle, "fixture_output")!, to: SetOutput.self)(file)
        unsafeBitCast(dlsym(handle, "fixture_stop_from")!, to: SetStop.self)(stopFrom)
    }
}

/// The lines the fixture library wrote, or none.
func lines(of file: String) -> [String] {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init)
}
