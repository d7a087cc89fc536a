import Foundation
import PluginTestSupport
import XCTest

/// The harness's ChildProcess, which runs the compilers, scripts and `trainer` runs of the
/// tests: what it collects, and its time limit, which turns a hang into a failed test.
final class ChildProcessTests: XCTestCase {
    func testCollectsStatusAndBothStreams() throws {
        let result = try ChildProcess.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.reason, .exit)
        XCTAssertEqual(result.output, "out\n")
        XCTAssertEqual(result.errors, "err\n")
        let merged = try ChildProcess.run(["sh", "-c", "echo out; echo err >&2"], errors: .mergedIntoOutput)
        XCTAssertEqual(merged.output, "out\nerr\n")
        XCTAssertEqual(merged.errors, "")
    }

    func testAChildThatHangsIsKilledAndReported() throws {
        // It prints, then sleeps far past its limit of two seconds.
        let arguments = ["sh", "-c", "echo started; echo waiting >&2; exec sleep 1000"]
        let child = try ChildProcess.start(arguments, timeout: 2)
        XCTAssertThrowsError(try child.wait()) { error in
            guard let timedOut = error as? ChildProcess.TimedOut else { return XCTFail("not a time-out: \(error)") }
            XCTAssertEqual(timedOut.arguments, arguments)
            XCTAssertEqual(timedOut.timeout, 2)
            XCTAssertFalse(timedOut.exited, "killed while running")
            XCTAssertEqual(timedOut.output, "started\n")
            XCTAssertEqual(timedOut.errors, "waiting\n")
            XCTAssertEqual(timedOut.description, """
                sh -c echo started; echo waiting >&2; exec sleep 1000 was still running after the time limit of 2 s \
                and was killed (SIGKILL)
                --- standard output so far ---
                started

                --- standard error so far ---
                waiting

                """)
        }
        XCTAssertFalse(child.isRunning)
    }

    func testWhatAHangingChildStartedIsKilledWithIt() throws {
        // The shell starts a sleep that holds the output pipe, prints its process id and waits.
        let child = try ChildProcess.start(["sh", "-c", "sleep 1000 & echo $!; wait"], timeout: 2)
        XCTAssertThrowsError(try child.wait()) { error in
            guard let timedOut = error as? ChildProcess.TimedOut else { return XCTFail("not a time-out: \(error)") }
            XCTAssertFalse(timedOut.exited)
            let sleeper = Int32(timedOut.output.trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertNotNil(sleeper, timedOut.output)
            if let sleeper {
                XCTAssertTrue(Self.hasEnded(sleeper), "the sleep \(sleeper) it started still runs")
            }
        }
    }

    /// Whether process `pid` is gone or a zombie, waiting up to ten seconds for the kernel to
    /// finish it off.
    private static func hasEnded(_ pid: Int32) -> Bool {
        let limit = Date().addingTimeInterval(10)
        repeat {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if stat.contains(") Z ") { return true }
            usleep(10_000)
        } while Date() < limit
        return false
    }

    func testRunSuccessfullyThrowsTheTimeOutToo() throws {
        let arguments = ["sh", "-c", "exec sleep 1000"]
        XCTAssertThrowsError(try ChildProcess.runSuccessfully(arguments, timeout: 0.5)) { error in
            XCTAssertEqual("\(error)", "sh -c exec sleep 1000 was still running after the time limit of 0.5 s "
                           + "and was killed (SIGKILL); it had printed nothing")
        }
    }
}
