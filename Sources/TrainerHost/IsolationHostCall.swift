import CTrainerPlugin
import Foundation

/// A call of an isolated plugin into its host table (`trainer_host_t`, and every extension of
/// `HostExtensions`), sent by the plugin host to the training
/// process. One case per function of the table: the child's relayed table sends them
/// (`RelayedHostTable`), the parent's relay serves them with the real `HostTable`
/// (`PluginRelay`), and a switch over this enum on each side keeps both complete.
enum HostRequest: Equatable {
    case stopTraining
    case getLearningRate
    case setLearningRate(Double)
    case getRunParams
    case snapshotWeights
    case restoreWeights(Int64)
    case releaseSnapshot(Int64)
    case weightCount
    case getWeight(Int64)
    case saveWeights(path: String)
    case loadWeights(path: String)
    case evaluate
    case log(level: Int32, message: String)
    case getExtension(String)
    case report(name: String, value: Double)
    case checkpointSave(directory: String)
    case checkpointResume(directory: String)
    case checkpointRemove(directory: String)
    case stopTrainingBecause(String)
    case distributedRank
    case distributedWorldSize
    case logsSet(name: String, value: Double)
    case setWeight(index: Int64, values: [Float])
    case setWeights([[Float]])
    case validationBatches
    case predictValidationBatch(Int64)
    case predict(rows: Int64, inputSize: Int64, inputs: [Float])

    func encode(into writer: inout WireWriter) {
        switch self {
        case .stopTraining: writer.u8(0)
        case .getLearningRate: writer.u8(1)
        case .setLearningRate(let rate): writer.u8(2); writer.f64(rate)
        case .getRunParams: writer.u8(3)
        case .snapshotWeights: writer.u8(4)
        case .restoreWeights(let id): writer.u8(5); writer.i64(id)
        case .releaseSnapshot(let id): writer.u8(6); writer.i64(id)
        case .weightCount: writer.u8(7)
        case .getWeight(let index): writer.u8(8); writer.i64(index)
        case .saveWeights(let path): writer.u8(9); writer.string(path)
        case .loadWeights(let path): writer.u8(10); writer.string(path)
        case .evaluate: writer.u8(11)
        case .log(let level, let message): writer.u8(12); writer.i32(level); writer.string(message)
        case .getExtension(let id): writer.u8(13); writer.string(id)
        case .report(let name, let value): writer.u8(14); writer.string(name); writer.f64(value)
        case .checkpointSave(let directory): writer.u8(15); writer.string(directory)
        case .checkpointResume(let directory): writer.u8(16); writer.string(directory)
        case .checkpointRemove(let directory): writer.u8(17); writer.string(directory)
        case .stopTrainingBecause(let reason): writer.u8(18); writer.string(reason)
        case .distributedRank: writer.u8(19)
        case .distributedWorldSize: writer.u8(20)
        case .logsSet(let name, let value): writer.u8(21); writer.string(name); writer.f64(value)
        case .setWeight(let index, let values): writer.u8(22); writer.i64(index); writer.floats(values)
        case .setWeights(let all):
            writer.u8(23)
            writer.u32(UInt32(all.count))
            for values in all { writer.floats(values) }
        case .validationBatches: writer.u8(24)
        case .predictValidationBatch(let batch): writer.u8(25); writer.i64(batch)
        case .predict(let rows, let inputSize, let inputs):
            writer.u8(26); writer.i64(rows); writer.i64(inputSize); writer.floats(inputs)
        }
    }

    static func decode(_ reader: inout WireReader) throws -> HostRequest {
        switch try reader.u8() {
        case 0: return .stopTraining
        case 1: return .getLearningRate
        case 2: return .setLearningRate(try reader.f64())
        case 3: return .getRunParams
        case 4: return .snapshotWeights
        case 5: return .restoreWeights(try reader.i64())
        case 6: return .releaseSnapshot(try reader.i64())
        case 7: return .weightCount
        case 8: return .getWeight(try reader.i64())
        case 9: return .saveWeights(path: try reader.string())
        case 10: return .loadWeights(path: try reader.string())
        case 11: return .evaluate
        case 12: return .log(level: try reader.i32(), message: try reader.string())
        case 13: return .getExtension(try reader.string())
        case 14: return .report(name: try reader.string(), value: try reader.f64())
        case 15: return .checkpointSave(directory: try reader.string())
        case 16: return .checkpointResume(directory: try reader.string())
        case 17: return .checkpointRemove(directory: try reader.string())
        case 18: return .stopTrainingBecause(try reader.string())
        case 19: return .distributedRank
        case 20: return .distributedWorldSize
        case 21: return .logsSet(name: try reader.string(), value: try reader.f64())
        case 22: return .setWeight(index: try reader.i64(), values: try reader.floats())
        case 23:
            let count = try reader.count(itemSize: 4)
            var all: [[Float]] = []
            for _ in 0..<count { all.append(try reader.floats()) }
            return .setWeights(all)
        case 24: return .validationBatches
        case 25: return .predictValidationBatch(try reader.i64())
        case 26: return .predict(rows: try reader.i64(), inputSize: try reader.i64(), inputs: try reader.floats())
        case let other: throw IsolationGarbage("a host call of unknown code \(other)")
        }
    }
}

/// The training process's answer to a `HostRequest`.
enum HostReply: Equatable {
    /// For calls that return nothing (stop, release, log, report).
    case done
    /// get_learning_rate.
    case number(Double)
    /// snapshot_weights' id, weight_count.
    case count(Int64)
    /// A status, with the error message of the calls that write one.
    case status(Int32, message: String)
    /// get_run_params.
    case runParams(status: Int32, RunParameters)
    /// get_weight: the view's name and shape, and where its data is in the shared weight
    /// region (`offset` bytes in, `count` floats) of `regionSize` bytes.
    case weight(status: Int32, name: String, shape: [Int64], count: Int64, offset: Int64, regionSize: Int64)
    /// evaluate: the status and the logs.
    case logs(status: Int32, [NamedValue])
    /// get_extension: whether the host has it.
    case flag(Bool)
    /// checkpoint resume: the status, whether a checkpoint was found, the error message.
    case resume(status: Int32, found: Bool, message: String)
    /// trainer.predict/1: the status and message, then the batch (empty on failure).
    case prediction(status: Int32, message: String, PredictionValues)

    /// A prediction's numbers, copied out of the training process's buffers.
    struct PredictionValues: Equatable {
        var firstSample: Int64 = 0
        var rows: Int64 = 0
        var outputSize: Int64 = 0
        var outputs: [Float] = []
        var targetSize: Int64 = 0
        var targets: [Float] = []
    }

    struct NamedValue: Equatable {
        var name: String
        var value: Double
    }

    func encode(into writer: inout WireWriter) {
        switch self {
        case .done: writer.u8(0)
        case .number(let value): writer.u8(1); writer.f64(value)
        case .count(let value): writer.u8(2); writer.i64(value)
        case .status(let status, let message): writer.u8(3); writer.i32(status); writer.string(message)
        case .runParams(let status, let p):
            writer.u8(4)
            writer.i32(status)
            writer.i64(Int64(p.verbose))
            writer.i64(Int64(p.epochs))
            writer.i64(Int64(p.steps))
            writer.i64(Int64(p.batchSize))
            writer.i64(Int64(p.samples))
            writer.i64(Int64(p.initialEpoch))
            writer.i64(Int64(p.validationSamples))
            writer.string(p.runDirectory)
        case .weight(let status, let name, let shape, let count, let offset, let regionSize):
            writer.u8(5)
            writer.i32(status)
            writer.string(name)
            writer.u32(UInt32(shape.count))
            for extent in shape { writer.i64(extent) }
            writer.i64(count)
            writer.i64(offset)
            writer.i64(regionSize)
        case .logs(let status, let items):
            writer.u8(6)
            writer.i32(status)
            writer.u32(UInt32(items.count))
            for item in items {
                writer.string(item.name)
                writer.f64(item.value)
            }
        case .flag(let value): writer.u8(7); writer.bool(value)
        case .resume(let status, let found, let message):
            writer.u8(8)
            writer.i32(status)
            writer.bool(found)
            writer.string(message)
        case .prediction(let status, let message, let p):
            writer.u8(9)
            writer.i32(status)
            writer.string(message)
            writer.i64(p.firstSample)
            writer.i64(p.rows)
            writer.i64(p.outputSize)
            writer.floats(p.outputs)
            writer.i64(p.targetSize)
            writer.floats(p.targets)
        }
    }

    static func decode(_ reader: inout WireReader) throws -> HostReply {
        switch try reader.u8() {
        case 0: return .done
        case 1: return .number(try reader.f64())
        case 2: return .count(try reader.i64())
        case 3: return .status(try reader.i32(), message: try reader.string())
        case 4:
            let status = try reader.i32()
            func int() throws -> Int {
                let value = try reader.i64()
                guard let exact = Int(exactly: value) else { throw IsolationGarbage("a run parameter of \(value)") }
                return exact
            }
            let verbose = try int(), epochs = try int(), steps = try int(), batchSize = try int()
            let samples = try int(), initialEpoch = try int(), validation = try int()
            return .runParams(status: status, RunParameters(
                verbose: verbose, epochs: epochs, steps: steps, batchSize: batchSize, samples: samples,
                initialEpoch: initialEpoch, runDirectory: try reader.string(), validationSamples: validation))
        case 5:
            let status = try reader.i32()
            let name = try reader.string()
            let rank = try reader.count(itemSize: 8)
            var shape: [Int64] = []
            for _ in 0..<rank { shape.append(try reader.i64()) }
            return .weight(status: status, name: name, shape: shape, count: try reader.i64(), offset: try reader.i64(),
                           regionSize: try reader.i64())
        case 6:
            let status = try reader.i32()
            let count = try reader.count(itemSize: 12)
            var items: [NamedValue] = []
            for _ in 0..<count { items.append(NamedValue(name: try reader.string(), value: try reader.f64())) }
            return .logs(status: status, items)
        case 7: return .flag(try reader.bool())
        case 8: return .resume(status: try reader.i32(), found: try reader.bool(), message: try reader.string())
        case 9:
            let status = try reader.i32(), message = try reader.string()
            var p = PredictionValues()
            p.firstSample = try reader.i64()
            p.rows = try reader.i64()
            p.outputSize = try reader.i64()
            p.outputs = try reader.floats()
            p.targetSize = try reader.i64()
            p.targets = try reader.floats()
            func product(_ a: Int64, _ b: Int64) -> Int64? {
                let (value, overflow) = a.multipliedReportingOverflow(by: b)
                return a >= 0 && b >= 0 && !overflow ? value : nil
            }
            guard let outputs = product(p.rows, p.outputSize), let targets = product(p.rows, p.targetSize),
                  Int64(p.outputs.count) == outputs, Int64(p.targets.count) == targets else {
                throw IsolationGarbage("a prediction whose sizes do not match its values")
            }
            return .prediction(status: status, message: message, p)
        case let other: throw IsolationGarbage("a host reply of unknown code \(other)")
        }
    }
}
