import Foundation
import PluginTestSupport
import XCTest

/// trainer_plugin_helpers.h: every helper checked by a C program against hand-built ABI
/// structs, compiled as a plugin author would (C11, C99 pedantic, C++), warnings as errors.
final class CHelperHeaderTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testEveryHelperBehavesAsDocumented() throws {
        let program = dir + "/helpers_check"
        try CCompiler.compile(["-I", Repository.abiHeaderDirectory, Repository.fixtures + "/helpers_check.c",
                               "-lm", "-o", program])
        let result = try ChildProcess.run([program])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("failed 0"), result.output)
        XCTAssertFalse(result.output.contains("checked 0,"), result.output)
    }

    func testTheHeaderCompilesAsStrictC99AndAsCPlusPlus() throws {
        let source = dir + "/uses_helpers.c"
        try "#include \"trainer_plugin_helpers.h\"\nint main(void) { return trainer_param_find(NULL, \"x\") != NULL; }\n"
            .write(toFile: source, atomically: true, encoding: .utf8)
        try ChildProcess.runSuccessfully(["cc", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror",
                                          "-I", Repository.abiHeaderDirectory, source, "-o", dir + "/c99"])
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/c++") else {
            throw XCTSkip("no C++ compiler at /usr/bin/c++: the C99 check ran, the C++ one cannot")
        }
        try ChildProcess.runSuccessfully(["/usr/bin/c++", "-x", "c++", "-Wall", "-Wextra", "-Werror",
                                          "-I", Repository.abiHeaderDirectory, source, "-o", dir + "/cxx"])
    }
}
