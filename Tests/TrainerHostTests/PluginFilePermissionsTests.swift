import Foundation
import PluginTestSupport
import XCTest
@testable import TrainerHost

/// Who could change a plugin file: the rules on mode and owner, then real files and
/// directories on disk.
final class PluginFilePermissionsTests: XCTestCase {
    typealias Status = PluginFilePermissions.Status

    func problem(_ mode: UInt32, owner: UInt32 = 1000, user: UInt32 = 1000) -> String? {
        PluginFilePermissions.problem("plugin file", path: "/p/libX.so", status: Status(mode: UInt32(S_IFREG) | mode, owner: owner),
                                      effectiveUser: user)
    }

    func testOwnerWritableFilesOfTheUserOrRootAreSafe() {
        XCTAssertNil(problem(0o755))
        XCTAssertNil(problem(0o644))
        XCTAssertNil(problem(0o755, owner: 0), "root's files are trusted")
        XCTAssertNil(problem(0o755, owner: 0, user: 0))
    }

    func testWritableByGroupOrOthersIsRefusedWithTheModeAndTheFix() {
        XCTAssertEqual(problem(0o775), "plugin file /p/libX.so is writable by group (mode 0775); fix with chmod g-w /p/libX.so, or pass --allow-insecure")
        XCTAssertEqual(problem(0o757), "plugin file /p/libX.so is writable by others (mode 0757); fix with chmod o-w /p/libX.so, or pass --allow-insecure")
        XCTAssertEqual(problem(0o666, owner: 0), "plugin file /p/libX.so is writable by group and others (mode 0666); fix with chmod go-w /p/libX.so, or pass --allow-insecure")
        XCTAssertEqual(problem(0o1777, owner: 0)?.contains("mode 01777"), true, "the sticky bit does not make it safe")
    }

    func testAnotherUsersFileIsRefusedNamingTheOwner() throws {
        let refused = try XCTUnwrap(problem(0o755, owner: 65534, user: 1000))
        XCTAssertTrue(refused.contains("is owned by") && refused.contains("uid 65534") && refused.contains("nor root"), refused)
        XCTAssertTrue(refused.contains("chown 1000 /p/libX.so"), refused)
        let asRoot = try XCTUnwrap(problem(0o755, owner: 65534, user: 0))
        XCTAssertTrue(asRoot.contains("not root"), asRoot)
    }

    // MARK: - On disk

    var directory: String!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.create()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func file(in folder: String, mode: mode_t = 0o755) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileModes.set(folder)
        let path = folder + "/libX.so"
        FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        try FileModes.set(path, mode)
        return path
    }

    func testAFileInAnOwnerWritableDirectoryIsSafe() throws {
        XCTAssertNil(PluginFilePermissions.problem(pluginFile: try file(in: directory + "/plugins")))
    }

    func testTheDirectoryHoldingTheFileIsChecked() throws {
        let path = try file(in: directory + "/plugins")
        try FileModes.set(directory + "/plugins", 0o777)
        let refused = try XCTUnwrap(PluginFilePermissions.problem(pluginFile: path))
        XCTAssertTrue(refused.hasPrefix("directory \(directory!)/plugins is writable by group and others (mode 0777)"), refused)
    }

    func testOnlyTheFileAndItsDirectoryAreCheckedNotTheDirectoriesAbove() throws {
        try FileModes.set(directory, 0o777)
        defer { try? FileModes.set(directory) }
        XCTAssertNil(PluginFilePermissions.problem(pluginFile: try file(in: directory + "/plugins")))
    }

    func testAFileDirectlyInAStickyWorldWritableDirectoryIsRefused() throws {
        let sticky = directory + "/tmp-like"
        let path = try file(in: sticky)
        try FileModes.set(sticky, 0o1777)
        let refused = try XCTUnwrap(PluginFilePermissions.problem(pluginFile: path))
        XCTAssertTrue(refused.contains("directory \(sticky) is writable by group and others (mode 01777)"), refused)
    }

    func testASymbolicLinkIsCheckedWhereItLeads() throws {
        let real = try file(in: directory + "/shared")
        try FileModes.set(directory + "/shared", 0o775)
        let links = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: links, withIntermediateDirectories: true)
        try FileModes.set(links)
        try FileManager.default.createSymbolicLink(atPath: links + "/libX.so", withDestinationPath: real)
        let refused = try XCTUnwrap(PluginFilePermissions.problem(pluginFile: links + "/libX.so"))
        XCTAssertTrue(refused.contains("directory \(directory!)/shared is writable by group"), refused)
        try FileModes.set(directory + "/shared")
        try FileModes.set(real, 0o666)
        let file = try XCTUnwrap(PluginFilePermissions.problem(pluginFile: links + "/libX.so"))
        XCTAssertTrue(file.contains("is writable by group and others (mode 0666)"), file)
    }
}
