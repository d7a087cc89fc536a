import Foundation
import PluginTestSupport
import XCTest

/// `trainer sdk` from a build tree: the repository's headers and SDK packages, found relative
/// to the binary. (The install layout is tested in InstallScriptTests.)
final class SDKCommandTests: EndToEndTestCase {
    private var repository: String { PluginToolchains.real(Repository.root) }

    func testEachOptionPrintsOnePathOfTheRepository() throws {
        let cflags = try trainer("sdk", "--cflags")
        XCTAssertEqual(cflags.status, 0, cflags.output)
        XCTAssertEqual(cflags.stdout, "-I\(repository)/Sources/CTrainerPlugin/include\n")

        let swift = try trainer("sdk", "--swift-package")
        XCTAssertEqual(swift.stdout, "\(repository)/sdk/swift\n", swift.output)
        let rust = try trainer("sdk", "--rust-crate")
        XCTAssertEqual(rust.stdout, "\(repository)/sdk/rust/trainer-plugin\n", rust.output)
        let abi = try trainer("sdk", "--abi")
        XCTAssertTrue(abi.stdout.range(of: #"^1\.[0-9]+\n$"#, options: .regularExpression) != nil, abi.output)
    }

    func testPlainSdkPrintsEverythingWithTheABIVersion() throws {
        let abi = try trainer("sdk", "--abi").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let all = try trainer("sdk")
        XCTAssertEqual(all.status, 0, all.output)
        XCTAssertTrue(all.stdout.contains("plugin ABI \(abi) (build tree: \(repository))"), all.stdout)
        XCTAssertTrue(all.stdout.contains("C headers:     \(repository)/Sources/CTrainerPlugin/include"), all.stdout)
        XCTAssertTrue(all.stdout.contains("Swift package: \(repository)/sdk/swift"), all.stdout)
        XCTAssertTrue(all.stdout.contains("Rust crate:    \(repository)/sdk/rust/trainer-plugin"), all.stdout)
        XCTAssertTrue(all.stdout.contains("Templates:     \(repository)/sdk/templates"), all.stdout)
    }

    func testTheCflagsBuildAPluginThatUsesTheHelpers() throws {
        let cflags = try trainer("sdk", "--cflags").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = try write("""
            #include "trainer_plugin_helpers.h"
            static const trainer_hooks_t hooks = {.struct_size = sizeof(trainer_hooks_t)};
            static trainer_status_t create(const trainer_host_t *host, const trainer_param_values_t *params,
                                           void **out, char *error, size_t error_size) {
                (void)host;
                if (trainer_param_int(params, "missing", 1) != 1) {
                    trainer_set_error(error, error_size, "unexpected %s", "value");
                    return TRAINER_STATUS_ERROR;
                }
                *out = NULL;
                return TRAINER_STATUS_OK;
            }
            static void destroy(void *instance) { (void)instance; }
            static const trainer_plugin_descriptor_t descriptor = {
                .struct_size = sizeof descriptor, .abi = {TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR},
                .id = "FromCflags", .name = "FromCflags", .version = "1.0.0", .summary = "built with trainer sdk --cflags",
                .create = create, .destroy = destroy, .hooks = &hooks,
            };
            TRAINER_EXPORT const trainer_plugin_descriptor_t *trainer_plugin_entry(void) { return &descriptor; }
            """, to: "from_cflags.c")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("plugins"), withIntermediateDirectories: true)
        try CCompiler.compile(["-shared", "-fPIC", cflags, source.path, "-o", directory.path + "/plugins/libFromCflags.so"])
        let list = try trainer("plugins", "list")
        XCTAssertTrue(list.stdout.contains("FromCflags "), list.output)
    }
}
