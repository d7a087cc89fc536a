import Foundation
import XCTest

/// `trainer system`: what the engine computes with on this machine.
final class SystemReportTests: EndToEndTestCase {
    private func report(environment: [String: String] = [:]) throws -> [String: String] {
        let result = try trainer("system", environment: environment)
        XCTAssertEqual(result.status, 0, result.output)
        var facts: [String: String] = [:]
        for line in result.stdout.split(separator: "\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            facts[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        XCTAssertTrue(result.stdout.hasPrefix("trainer "), result.stdout)
        return facts
    }

    /// On a CPU with AVX2 or better, OpenBLAS never runs its generic SSE kernels, whatever the
    /// CPU's model number.
    func testTheBLASCoreIsNotTheGenericOneOnACPUWithAVX2() throws {
        let facts = try report()
        let kernels = try XCTUnwrap(facts["C kernels"])
        guard kernels.contains("this CPU runs: baseline, avx2") else {
            throw XCTSkip("this CPU lacks AVX2 (\(kernels))")
        }
        let core = try XCTUnwrap(facts["BLAS core"]?.split(separator: " ").first).lowercased()
        let avx2OrBetter = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]
        XCTAssertTrue(avx2OrBetter.contains(core), "BLAS core: \(facts["BLAS core"] ?? "")")
        if kernels.contains("avx512") && kernels.hasSuffix("avx2, avx512)") {
            XCTAssertTrue(["skylakex", "cooperlake", "sapphirerapids"].contains(core), "AVX-512 CPU: \(core)")
        }
        XCTAssertTrue(facts["BLAS"]?.hasPrefix("OpenBLAS ") ?? false, "\(facts)")
        XCTAssertNotNil(facts["plugin ABI"])
    }

    /// A user's own OPENBLAS_CORETYPE wins, and the report says where the choice came from.
    func testAnOPENBLASCORETYPESetByTheUserWins() throws {
        let facts = try report(environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(facts["BLAS core"], "Prescott (OPENBLAS_CORETYPE=Prescott in the environment)")
    }

    func testPlainVersionIsOneLine() throws {
        let result = try trainer("--version")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count, 1, result.stdout)
    }
}
