import XCTest
import Foundation
import CTrainerKernels
@testable import TrainerEngine

/// The C kernels at each instruction-set level (`KernelLevels`): which levels the build has and
/// the CPU runs, choosing one, refusing one the CPU lacks, `TRAINER_KERNELS` at start-up, every
/// reference check (`KernelChecks`) at every level the CPU supports, and each level's results
/// against the baseline's. A level the CPU lacks is reported as skipped, with the reason.
final class KernelLevelTests: XCTestCase {
    /// The level the kernels ran at when the test began; tearDown puts it back.
    private var levelBefore = ""

    override func setUp() {
        levelBefore = KernelLevels.current
    }

    override func tearDown() {
        XCTAssertTrue(KernelLevels.select(levelBefore), "could not put back level \(levelBefore)")
    }

    /// Makes the kernels run at `level`; throws XCTSkip, with the reason, when this build or CPU
    /// cannot run it.
    private func select(_ level: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if let reason = KernelLevels.unavailability(of: level) {
            throw XCTSkip("the kernels cannot run at \(level) here: \(reason)")
        }
        XCTAssertTrue(KernelLevels.select(level), file: file, line: line)
        XCTAssertEqual(String(cString: trainer_kernels_level()), level, file: file, line: line)
    }

    // ---- Levels ---------------------------------------------------------------------------

    func testBuildHasEveryLevel() {
        #if arch(x86_64)
        XCTAssertEqual(KernelLevels.built, ["baseline", "avx2", "avx512"])
        #else
        XCTAssertEqual(KernelLevels.built, ["baseline"])
        #endif
        XCTAssertEqual(KernelLevels.available.first, "baseline")
        XCTAssertNil(KernelLevels.unavailability(of: "baseline"))
        XCTAssertTrue(KernelLevels.available.contains(KernelLevels.current), KernelLevels.current)
    }

    /// The levels found runnable are the ones the CPU flags the kernel reports allow: x86-64-v3
    /// (with v2 under it) for avx2, and x86-64-v4 for avx512. The flags only list what the
    /// operating system also saves and restores, as the detection requires.
    func testAvailableLevelsFollowTheCPUFlags() throws {
        #if arch(x86_64) && os(Linux)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try XCTUnwrap(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: ":", maxSplits: 1)[1].split(separator: " ").map(String.init))
        let v2 = ["cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"]
        let v3 = v2 + ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]
        let v4 = v3 + ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        var expected = ["baseline"]
        if v3.allSatisfy(flags.contains) { expected.append("avx2") }
        if v4.allSatisfy(flags.contains) { expected.append("avx512") }
        XCTAssertEqual(KernelLevels.available, expected)
        #else
        throw XCTSkip("reads the x86-64 flags of /proc/cpuinfo")
        #endif
    }

    /// Selecting a level makes it the one `trainer_kernels_level()` reports, from every other.
    func testSelectingALevelChangesTheLevel() throws {
        let available = KernelLevels.available
        for from in available {
            for to in available where to != from {
                try select(from)
                XCTAssertEqual(KernelLevels.current, from)
                XCTAssertTrue(KernelLevels.select(to))
                XCTAssertEqual(String(cString: trainer_kernels_level()), to)
                XCTAssertEqual(KernelLevels.current, to)
            }
        }
        if available.count < 2 {
            throw XCTSkip("the kernels run at one level here (\(available)): nothing to change between")
        }
    }

    /// A name that is no level, and a level the CPU lacks, are refused: `select` returns false
    /// and the level stays.
    func testUnavailableLevelsAreRefused() throws {
        let before = KernelLevels.current
        for name in ["avx9", "AVX2", "", "x86-64-v3"] {
            XCTAssertFalse(KernelLevels.select(name), name)
            XCTAssertEqual(KernelLevels.current, before)
            XCTAssertEqual(KernelLevels.unavailability(of: name), "it names no level (baseline, avx2 or avx512)")
        }
        for level in KernelLevels.built where !KernelLevels.available.contains(level) {
            XCTAssertFalse(KernelLevels.select(level), level)
            XCTAssertEqual(KernelLevels.current, before)
            let reason = try XCTUnwrap(KernelLevels.unavailability(of: level))
            XCTAssertTrue(reason.hasPrefix("this CPU lacks x86-64-v"), reason)
        }
    }

    // ---- TRAINER_KERNELS --------------------------------------------------------------------

    /// What start-up does with TRAINER_KERNELS's value (`trainer_kernels_request`): a level the
    /// CPU supports runs; unset or empty, the highest supported one does; a name that is no
    /// level, or a level the CPU lacks, is refused with a warning, and the highest runs.
    func testStartUpRequest() throws {
        let highest = try XCTUnwrap(KernelLevels.available.last)
        func request(_ value: String?, from start: String) -> (accepted: Bool, message: String) {
            XCTAssertTrue(KernelLevels.select(start))
            var message = [CChar](repeating: 0, count: 256)
            let accepted = message.withUnsafeMutableBufferPointer { buffer in
                trainer_kernels_request(value, buffer.baseAddress, buffer.count)
            }
            return (accepted != 0, String(cString: message))
        }
        for level in KernelLevels.available {
            let accepted = request(level, from: KernelLevels.available.first { $0 != level } ?? level)
            XCTAssertTrue(accepted.accepted, level)
            XCTAssertEqual(accepted.message, "")
            XCTAssertEqual(KernelLevels.current, level)
        }
        for value in [nil, ""] as [String?] {
            let unset = request(value, from: "baseline")
            XCTAssertTrue(unset.accepted, "\(value ?? "unset")")
            XCTAssertEqual(unset.message, "")
            XCTAssertEqual(KernelLevels.current, highest)
        }
        let unknown = request("avx9", from: "baseline")
        XCTAssertFalse(unknown.accepted)
        XCTAssertEqual(unknown.message,
                       "TRAINER_KERNELS=avx9 refused: it names no level (baseline, avx2 or avx512); the kernels run at \(highest)")
        XCTAssertEqual(KernelLevels.current, highest)
        for level in KernelLevels.built where !KernelLevels.available.contains(level) {
            let refused = request(level, from: "baseline")
            XCTAssertFalse(refused.accepted)
            XCTAssertEqual(refused.message, "TRAINER_KERNELS=\(level) refused: "
                           + "\(KernelLevels.unavailability(of: level)!); the kernels run at \(highest)")
            XCTAssertEqual(KernelLevels.current, highest)
        }
    }

    /// The level when the process started: TRAINER_KERNELS's when the CPU runs it, otherwise
    /// the highest the CPU supports. Every test puts back the level it changes, so it is still
    /// the start-up level here; testTrainerKernelsIsReadAtStartUp also runs this test alone, in
    /// new processes.
    func testStartUpLevelFollowsTheEnvironment() throws {
        let requested = ProcessInfo.processInfo.environment["TRAINER_KERNELS"] ?? ""
        let highest = try XCTUnwrap(KernelLevels.available.last)
        XCTAssertEqual(levelBefore, KernelLevels.available.contains(requested) ? requested : highest,
                       "TRAINER_KERNELS=\(requested)")
    }

    /// This test executable started again with TRAINER_KERNELS set, running
    /// testStartUpLevelFollowsTheEnvironment alone: it passes for every level the CPU runs, and
    /// for a refused value, which the process warns about on stderr before any test runs.
    func testTrainerKernelsIsReadAtStartUp() throws {
        let executable = try XCTUnwrap(Bundle.main.executableURL)
        let highest = try XCTUnwrap(KernelLevels.available.last)
        let lacking = KernelLevels.built.filter { !KernelLevels.available.contains($0) }
        for value in KernelLevels.available + ["avx9"] + lacking {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["TrainerEngineTests.KernelLevelTests/testStartUpLevelFollowsTheEnvironment"]
            var environment = ProcessInfo.processInfo.environment
            environment["TRAINER_KERNELS"] = value
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "TRAINER_KERNELS=\(value):\n\(printed)")
            XCTAssertTrue(printed.contains("Executed 1 test, with 0 failures"), "TRAINER_KERNELS=\(value):\n\(printed)")
            let warning = "warning: TRAINER_KERNELS=\(value) refused: "
            if KernelLevels.available.contains(value) {
                XCTAssertFalse(printed.contains("warning: TRAINER_KERNELS"), printed)
            } else {
                XCTAssertTrue(printed.contains(warning + "\(KernelLevels.unavailability(of: value)!); "
                                               + "the kernels run at \(highest)\n"), printed)
            }
        }
    }

    // ---- Every check at every level -------------------------------------------------------

    func testReferenceChecksAtBaseline() throws { try runReferenceChecks(at: "baseline") }
    func testReferenceChecksAtAVX2() throws { try runReferenceChecks(at: "avx2") }
    func testReferenceChecksAtAVX512() throws { try runReferenceChecks(at: "avx512") }

    private func runReferenceChecks(at level: String) throws {
        try select(level)
        for check in KernelChecks.all {
            let failuresBefore = testRun?.totalFailureCount ?? 0
            try check.run()
            XCTAssertEqual(KernelLevels.current, level, "after \(check.name)")
            if let run = testRun, run.totalFailureCount > failuresBefore {
                XCTFail("\(check.name) failed with the kernels at \(level)")
            }
        }
    }

    // ---- Levels against each other ----------------------------------------------------------

    func testAVX2AgreesWithBaseline() throws { try assertAgreesWithBaseline("avx2") }
    func testAVX512AgreesWithBaseline() throws { try assertAgreesWithBaseline("avx512") }

    /// Every kernel's results at `level` against the baseline's for the same inputs: equal
    /// within float rounding (max pooling and dropout masks bit for bit), yet different in the last bits
    /// somewhere, as FMA rounds a*b+c once where the baseline rounds twice: `level`'s own code ran.
    private func assertAgreesWithBaseline(_ level: String) throws {
        if let reason = KernelLevels.unavailability(of: level) {
            throw XCTSkip("the kernels cannot run at \(level) here: \(reason)")
        }
        try select("baseline")
        let reference = try kernelResults()
        try select(level)
        let results = try kernelResults()
        XCTAssertEqual(results.map(\.name), reference.map(\.name))
        var someBitsDiffer = false
        for (result, base) in zip(results, reference) {
            XCTAssertEqual(result.values.count, base.values.count, result.name)
            guard result.values.count == base.values.count else { continue }
            let bitsDiffer = result.values.map(\.bitPattern) != base.values.map(\.bitPattern)
            if result.exact {
                XCTAssertFalse(bitsDiffer, "\(result.name) at \(level) differs from the baseline's")
                continue
            }
            someBitsDiffer = someBitsDiffer || bitsDiffer
            let scale = max(1, base.values.map { abs($0) }.max() ?? 0)
            let worst = zip(result.values, base.values).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 2e-5 * scale, "\(result.name) at \(level) differs from the baseline's by \(worst)")
        }
        XCTAssertTrue(someBitsDiffer, "every result at \(level) equals the baseline's bit for bit: did \(level)'s kernels run?")
    }

    /// One kernel result: what it is, its floats, and whether every level must give the same bits.
    private typealias KernelResult = (name: String, values: [Float], exact: Bool)

    /// The results of every kernel for fixed inputs, at the level the kernels run at: Winograd's
    /// and the direct convolution's outputs and gradients (channel and filter counts with tails
    /// past the vectors), max pooling's (comparisons only: the same bits at every level), a
    /// dropout mask (integer arithmetic: the same bits too), and Adam's weights after three steps.
    private func kernelResults() throws -> [KernelResult] {
        var results: [KernelResult] = []
        func run(_ name: String, _ layer: Layer, inputShape: [Int], batch: Int, method: Conv2D.Method? = nil,
                 exact: Bool = false) throws {
            var rng = SplitMix64(seed: 61)
            (layer as? Conv2D)?.preferredMethod = method
            try layer.build(inputShape: inputShape, maxBatch: batch, rng: &rng)
            if let conv = layer as? Conv2D {
                XCTAssertEqual(conv.method, method, name)
                for i in 0..<conv.filters { conv.bias!.value[i] = Float(i % 5) * 0.05 - 0.1 }
            }
            let x = randomFloats(batch * layer.inputSize, seed: 62)
            var dy = randomFloats(batch * layer.outputSize, seed: 63)
            x.withUnsafeBufferPointer { xp in
                layer.forward(xp.baseAddress!, batch: batch, training: true)
                results.append(("\(name) output", Array(UnsafeBufferPointer(start: layer.output, count: batch * layer.outputSize)),
                                exact))
                dy.withUnsafeMutableBufferPointer { dp in
                    let dx = layer.backward(xp.baseAddress!, outputGradient: dp.baseAddress!, batch: batch,
                                            needsInputGradient: true)!
                    results.append(("\(name) input gradient", Array(UnsafeBufferPointer(start: dx, count: batch * layer.inputSize)),
                                    exact))
                }
            }
            for w in layer.weights where w.isTrainable {
                results.append(("\(name) \(w.name) gradient", Array(UnsafeBufferPointer(start: w.gradient!, count: w.count)), false))
            }
        }
        try run("winograd", Conv2D(17, kernelSize: 3, padding: .same, activation: .relu), inputShape: [6, 10, 19], batch: 3,
                method: .winograd)
        try run("direct", Conv2D(32, kernelSize: 3, activation: .relu), inputShape: [28, 28, 1], batch: 3, method: .direct)
        try run("direct 'same'", Conv2D(17, kernelSize: 3, padding: .same), inputShape: [9, 7, 3], batch: 2, method: .direct)
        try run("max pooling", MaxPooling2D(), inputShape: [7, 7, 19], batch: 2, exact: true)
        try run("overlapping max pooling", MaxPooling2D(poolSize: 3, strides: 2, padding: .same), inputShape: [7, 7, 19],
                batch: 2, exact: true)

        var rng = SplitMix64(seed: 64)
        let dropout = Dropout(0.3)
        try dropout.build(inputShape: [1001], maxBatch: 2, rng: &rng)
        dropout.reseed(65)
        let ones = [Float](repeating: 1, count: 2002)
        ones.withUnsafeBufferPointer { dropout.forward($0.baseAddress!, batch: 2, training: true) }
        results.append(("dropout mask", Array(UnsafeBufferPointer(start: dropout.output, count: 2002)), true))

        let weights = Parameter(name: "w", shape: [37])
        weights.setValues(randomFloats(37, seed: 66))
        let adam = Adam(learningRate: 0.01)
        adam.build([weights])
        for step in 0..<3 {
            let g = randomFloats(37, seed: 67 + UInt64(step))
            for i in 0..<37 { weights.gradient![i] = g[i] }
            adam.step()
        }
        results.append(("Adam's weights", weights.values, false))
        return results
    }
}
