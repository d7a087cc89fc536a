import XCTest
@testable import TrainerEngine

/// How the engine chooses OpenBLAS's kernel core (`BLASLibrary`): by the CPU's features, never
/// lower than OpenBLAS's own choice, and by really switching the library's kernels.
final class BLASLibraryTests: XCTestCase {
    func testTheCoreIsRaisedToWhatTheCPUsFeaturesRun() {
        // A current Xeon that OpenBLAS 0.3.21 does not know: generic kernels, AVX-512 CPU.
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "Prescott", cpuLevel: 3), "SkylakeX")
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "Haswell", cpuLevel: 3), "SkylakeX")
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "Zen", cpuLevel: 3), "SkylakeX")
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "Prescott", cpuLevel: 2), "Haswell")
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "SandyBridge", cpuLevel: 2), "Haswell")
        XCTAssertEqual(BLASLibrary.coreToRaise(detected: "SomeFutureCore", cpuLevel: 2), "Haswell")
    }

    func testAGoodChoiceOfOpenBLASIsKeptAndNeverLowered() {
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "Zen", cpuLevel: 2))
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "Haswell", cpuLevel: 2))
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "SkylakeX", cpuLevel: 3))
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "Cooperlake", cpuLevel: 3))
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "SkylakeX", cpuLevel: 2), "never lowered")
        XCTAssertNil(BLASLibrary.coreToRaise(detected: "Prescott", cpuLevel: 0), "nothing to raise to")
    }

    func testTheCPULevelAgreesWithTheEnginesOwnKernels() {
        let level = BLASLibrary.cpuLevel
        XCTAssertEqual(level == 3, KernelLevels.available.contains("avx512"))
        XCTAssertEqual(level >= 2, KernelLevels.available.contains("avx2"))
    }

    /// Switches OpenBLAS to the generic core and to Haswell's for real, checks a product on each
    /// against a plain loop, and puts the first core back.
    func testSwitchingTheCoreChangesTheKernelsAndKeepsProductsRight() throws {
        guard KernelLevels.available.contains("avx2") else {
            throw XCTSkip("this CPU lacks AVX2, so the Haswell kernels cannot run here")
        }
        let before = BLASLibrary.core
        defer { XCTAssertTrue(BLASLibrary.switchCore(to: before), "could not put back \(before)") }
        let (m, n, k) = (37, 29, 53)
        var generator = SplitMix64(seed: 7)
        let a = (0..<(m * k)).map { _ in generator.nextFloat() - 0.5 }
        let b = (0..<(k * n)).map { _ in generator.nextFloat() - 0.5 }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
            expected[i * n + j] = Float(sum)
        } }
        for core in ["Prescott", "Haswell"] {
            XCTAssertTrue(BLASLibrary.switchCore(to: core), "OpenBLAS did not switch to \(core)")
            XCTAssertEqual(BLASLibrary.core, core)
            XCTAssertNil(getenv("OPENBLAS_CORETYPE"), "the variable is removed again")
            var c = [Float](repeating: .nan, count: m * n)
            Matrix.multiply(a, b, into: &c, m: m, n: n, k: k)
            for index in c.indices {
                XCTAssertEqual(c[index], expected[index], accuracy: 1e-4, "\(core): element \(index)")
            }
        }
    }
}
