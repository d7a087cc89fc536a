import ArgumentParser
import TrainerRun

/// `trainer system`: what the engine computes with on this machine.
struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Print the version and what the engine computes with here: BLAS library and kernel core, threads, C kernel level, CPU.")

    func run() throws {
        print(SystemReport.lines().joined(separator: "\n"))
    }
}
