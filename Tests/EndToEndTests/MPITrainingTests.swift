import Foundation
import PluginTestSupport
import XCTest

/// Data-parallel training through the real `trainer` under the real `mpirun` (Open MPI), two
/// ranks on this machine. The `RankProbe` fixture, created on every rank, saves each rank's
/// final weights and last epoch logs, and stops or kills one rank after a chosen batch.
final class MPITrainingTests: EndToEndTestCase {
    static let mpirun = "/usr/bin/mpirun"
    var fixtures: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.isExecutableFile(atPath: Self.mpirun) else {
            throw XCTSkip("mpirun is not installed (scripts/install-deps installs openmpi-bin)")
        }
        try requireFashionMNIST()
        fixtures = directory.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        try FileModes.set(fixtures.path)
        _ = try CCompiler.buildPlugin(Repository.fixtures + "/rank_probe.c", into: fixtures.path, name: "RankProbe")
    }

    /// `mpirun --oversubscribe -np N trainer ARGS` (N = ranks.count), as root too.
    func mpirun(_ ranks: [[String]], timeout: TimeInterval = 240) throws -> (status: Int32, output: String) {
        var command = [Self.mpirun, "--oversubscribe"]
        if Set(ranks).count == 1 {
            command += ["-np", "\(ranks.count)", TrainerBinary.path] + ranks[0]
        } else {
            // One rank per argument list (Open MPI's MPMD form: `-np 1 A : -np 1 B`).
            for (index, arguments) in ranks.enumerated() {
                if index > 0 { command.append(":") }
                command += ["-np", "1", TrainerBinary.path] + arguments
            }
        }
        let result = try ChildProcess.run(command, in: directory.path, environment: [
            "HOME": directory.path, "TRAINER_PLUGIN_PATH": nil, "XDG_CACHE_HOME": nil,
            "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_rmaps_base_oversubscribe": "1",
        ], timeout: timeout)
        return (result.status, result.output + result.errors)
    }

    func probeArguments(_ runDirectory: String, _ extra: [String] = []) -> [String] {
        ["train", "--epochs", "3", "--limit", "600", "--verbose", "2", "--run-dir", runDirectory,
         "--plugins-dir", fixtures.path, "--plugin", "RankProbe"] + extra + ["--every-rank", "RankProbe"]
    }

    func file(_ path: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(path)) }
    func text(_ path: String) throws -> String { String(decoding: try file(path), as: UTF8.self) }

    func testTwoRanksEndWithBitIdenticalWeightsAndTheSameLogs() throws {
        let run = try mpirun(Array(repeating: probeArguments("run"), count: 2))
        XCTAssertEqual(run.status, 0, run.output)
        let rank0 = try file("run/rank-0.safetensors"), rank1 = try file("run/rank-1.safetensors")
        XCTAssertGreaterThan(rank0.count, 400_000)
        XCTAssertEqual(rank0, rank1, "the ranks' weights differ")
        XCTAssertEqual(try file("run/weights.safetensors"), rank0)
        let probe0 = try text("run/rank-0.txt"), probe1 = try text("run/rank-1.txt")
        // 600 samples, 300 per rank, 10 batches of 32 per rank and epoch.
        XCTAssertTrue(probe0.hasPrefix("rank 0 world 2 batches 30 "), probe0)
        XCTAssertTrue(probe1.hasPrefix("rank 1 world 2 batches 30 "), probe1)
        // Every rank's plugins saw the same epoch logs, averaged over both ranks.
        XCTAssertEqual(probe0.split(separator: " ").dropFirst(6), probe1.split(separator: " ").dropFirst(6))
        let history = try text("run/history.json")
        XCTAssertTrue(history.contains("\"world_size\": 2"), history)
        XCTAssertTrue(history.contains("\"steps\": 10"), history)
        // Rank 0 alone writes the run's files: History, the weights; one run directory.
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("runs").path))
    }

    /// Two ranks of batch 32 take the samples one process of batch 64 takes in each step (the
    /// shards interleave the same order): the validation accuracy stays within one point.
    func testValidationAccuracyMatchesOneProcessWithTheSameTotalBatch() throws {
        let arguments = ["train", "--epochs", "3", "--limit", "2000", "--verbose", "2"]
        let two = try mpirun(Array(repeating: arguments + ["--run-dir", "two", "--batch-size", "32"], count: 2))
        XCTAssertEqual(two.status, 0, two.output)
        let one = try TrainerBinary.run(arguments + ["--run-dir", "one", "--batch-size", "64"], in: directory)
        XCTAssertEqual(one.status, 0, one.output)
        let accuracy = { (run: String) throws -> Double in
            let object = try JSONSerialization.jsonObject(with: try self.file("\(run)/history.json")) as! [String: Any]
            let history = object["history"] as! [String: [Double]]
            return history["val_accuracy"]!.last!
        }
        let a2 = try accuracy("two"), a1 = try accuracy("one")
        XCTAssertGreaterThan(a1, 0.6)
        XCTAssertEqual(a2, a1, accuracy: 0.01, "2 ranks × 32: \(a2), 1 process × 64: \(a1)")
    }

    func testAStopOnRankZeroStopsEveryRankAfterTheSameBatch() throws {
        let run = try mpirun(Array(repeating: probeArguments("run", ["--set", "stop_rank=0", "--set", "at_batch=4"]), count: 2))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(try text("run/rank-0.txt").hasPrefix("rank 0 world 2 batches 4 "))
        XCTAssertTrue(try text("run/rank-1.txt").hasPrefix("rank 1 world 2 batches 4 "))
        XCTAssertEqual(try file("run/rank-0.safetensors"), try file("run/rank-1.safetensors"))
        XCTAssertTrue(try text("run/history.json").contains("\"epochs\": [0]"))
    }

    func testAStopOnAnotherRankStopsEveryRankToo() throws {
        let run = try mpirun(Array(repeating: probeArguments("run", ["--set", "stop_rank=1", "--set", "at_batch=13"]), count: 2))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(try text("run/rank-0.txt").hasPrefix("rank 0 world 2 batches 13 "))
        XCTAssertTrue(try text("run/rank-1.txt").hasPrefix("rank 1 world 2 batches 13 "))
        XCTAssertEqual(try file("run/rank-0.safetensors"), try file("run/rank-1.safetensors"))
        XCTAssertTrue(try text("run/history.json").contains("\"epochs\": [0, 1]"))
    }

    /// A learning rate set on rank 0 alone (LearningRateScheduler runs there) is every rank's.
    func testALearningRateSetOnRankZeroReachesEveryRank() throws {
        let run = try mpirun(Array(repeating: probeArguments("run", [
            "--plugin", "LearningRateScheduler", "--set", "schedule=epoch < 1 ? lr : lr * 0.5",
        ]), count: 2))
        XCTAssertEqual(run.status, 0, run.output)
        let probe1 = try text("run/rank-1.txt")
        XCTAssertTrue(probe1.contains(" learning_rate=0.00025000001187436283"), probe1)
        XCTAssertEqual(try file("run/rank-0.safetensors"), try file("run/rank-1.safetensors"))
    }

    /// BackupAndRestore runs on rank 0: it backs up every epoch; after rank 1 dies, the same
    /// command resumes every rank from rank 0's backup and ends with the weights of a run
    /// never interrupted.
    func testAJobResumesFromRankZerosBackupOnEveryRank() throws {
        let backup = ["--plugin", "BackupAndRestore", "--set", "backup_dir=backup"]
        let whole = try mpirun(Array(repeating: probeArguments("whole", backup + ["--set", "backup_dir=whole-backup"]), count: 2))
        XCTAssertEqual(whole.status, 0, whole.output)
        // Dies in the middle of the second epoch (10 batches per epoch), after one backup.
        let killed = try mpirun(Array(repeating: probeArguments("run", ["--set", "kill_rank=1", "--set", "at_batch=15"] + backup),
                                      count: 2), timeout: 120)
        XCTAssertNotEqual(killed.status, 0, killed.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("backup").path))
        let resumed = try mpirun(Array(repeating: probeArguments("run", backup), count: 2))
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("Resuming from"), resumed.output)
        // Both ranks went on from epoch 2: 20 batches each.
        XCTAssertTrue(try text("run/rank-1.txt").hasPrefix("rank 1 world 2 batches 20 "))
        XCTAssertEqual(try file("run/rank-0.safetensors"), try file("run/rank-1.safetensors"))
        XCTAssertEqual(try file("run/weights.safetensors"), try file("whole/weights.safetensors"))
    }

    func testARankThatDiesEndsTheJobNamingIt() throws {
        let run = try mpirun(Array(repeating: probeArguments("run", ["--set", "kill_rank=1", "--set", "at_batch=3"]), count: 2),
                             timeout: 120)
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("rank 1"), run.output)
        XCTAssertTrue(run.output.contains("signal 9"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/weights.safetensors").path))
    }

    func testRanksWithAnotherConfigurationAreRefusedAtTheStart() throws {
        let common = ["train", "--limit", "300", "--verbose", "0", "--run-dir", "run"]
        let run = try mpirun([common + ["--epochs", "2"], common + ["--epochs", "3"]], timeout: 120)
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("rank 1 of 2"), run.output)
        XCTAssertTrue(run.output.contains("configuration differs from rank 0's: epochs = 3 here, epochs = 2 on rank 0"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("run/history.json").path))
    }

    func testRanksWithOtherDataAreRefusedAtTheStart() throws {
        let common = ["train", "--epochs", "1", "--verbose", "0", "--run-dir", "run"]
        let run = try mpirun([common + ["--limit", "300"], common + ["--limit", "301"]], timeout: 120)
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("rank 1 of 2"), run.output)
        XCTAssertTrue(run.output.contains("differs from rank 0's"), run.output)
    }

    /// Without mpirun, trainer never loads libmpi (the dynamic loader's own record says so).
    func testAPlainRunDoesNotLoadMPI() throws {
        let run = try trainer("train", "--epochs", "1", "--limit", "100", "--verbose", "0", "--run-dir", "plain",
                              environment: ["LD_DEBUG": "files"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("libopenblas"), "LD_DEBUG shows no loading at all")
        XCTAssertFalse(run.stderr.contains("libmpi"), "a plain run loaded libmpi")
    }
}
