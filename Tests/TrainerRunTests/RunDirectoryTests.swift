import Foundation
@testable import TrainerRun
import XCTest

/// Runs started in the same second never share a run directory.
final class RunDirectoryTests: XCTestCase {
    /// Sixteen runs created at the same instant, from sixteen threads at once, get sixteen
    /// directories: the stamp's, then -2, -3, ... (a check-then-create would hand two of them
    /// the same one).
    func testRunsCreatedAtTheSameInstantGetTheirOwnDirectories() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("run-dirs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(work.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: work)
        }
        let now = Date()
        let count = 16
        let paths = UnsafeMutableBufferPointer<String?>.allocate(capacity: count)
        paths.initialize(repeating: nil)
        defer { paths.deallocate() }
        DispatchQueue.concurrentPerform(iterations: count) { index in
            paths[index] = try? RunDirectory.create(named: nil, now: now).path
        }
        let made = paths.compactMap { $0 }
        XCTAssertEqual(made.count, count, "every run got a directory")
        XCTAssertEqual(Set(made).count, count, "no two runs share one: \(made.sorted())")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: "runs").map { "runs/" + $0 }), Set(made))
    }
}
