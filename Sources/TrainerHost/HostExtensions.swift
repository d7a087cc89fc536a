import CTrainerPlugin
import Foundation
import TrainerEngine

/// The host's extensions, the optional capabilities `get_extension(id)` finds: one static C
/// table per id, each function finding its plugin's `HostTable` through `host_data`.
enum HostExtensions {
    /// The static table of extension `id`, or nil when this host has no such extension.
    static func table(for id: String) -> UnsafeRawPointer? {
        switch id {
        case TRAINER_EXT_REPORT: return UnsafeRawPointer(report)
        case TRAINER_EXT_CHECKPOINT: return UnsafeRawPointer(checkpoint)
        case TRAINER_EXT_DISTRIBUTED: return UnsafeRawPointer(distributed)
        case TRAINER_EXT_LOGS: return UnsafeRawPointer(logs)
        case TRAINER_EXT_WEIGHTS: return UnsafeRawPointer(weights)
        case TRAINER_EXT_PREDICT: return UnsafeRawPointer(predict)
        default: return nil
        }
    }

    private static func make<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        return pointer
    }

    private static func context(_ host: UnsafePointer<trainer_host_t>?) -> HostTable? { HostTable.context(host) }

    // MARK: - trainer.report/1

    static let report = make(trainer_report_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_report_ext_t>.size),
        report: { host, name, value in
            guard let me = context(host), let name else { return }
            me.record(String(cString: name), value)
        }))

    // MARK: - trainer.checkpoint/1

    static let checkpoint = make(trainer_checkpoint_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_checkpoint_ext_t>.size),
        save: { host, dir, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.checkpointCall(dir, message, size) { session, path in try session.saveCheckpoint(to: path) }
        },
        resume: { host, dir, found, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.checkpointCall(dir, message, size) { session, path in
                let exists = try session.requestResume(from: path)
                found?.pointee = exists ? 1 : 0
            }
        },
        remove: { host, dir, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.checkpointCall(dir, message, size) { session, path in try session.removeCheckpoints(in: path) }
        }))

    // MARK: - trainer.distributed/1

    static let distributed = make(trainer_distributed_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_distributed_ext_t>.size),
        rank: { host in Int64(context(host)?.session?.runParameters.rank ?? 0) },
        world_size: { host in Int64(context(host)?.session?.runParameters.worldSize ?? 1) }))

    // MARK: - trainer.logs/1

    static let logs = make(trainer_logs_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_logs_ext_t>.size),
        set: { host, name, value in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            guard let hook = me.currentHook, let logs = hook.logs else {
                me.logger.warning("trainer.logs/1: set is only possible inside a hook", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            guard let text = LogName.check(name) else {
                me.logger.warning("trainer.logs/1: refused a log name: \(LogName.rule)", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            logs.set(text, value)
            hook.changed.pointee = true
            return TRAINER_STATUS_OK
        }))

    // MARK: - trainer.weights/1

    static let weights = make(trainer_weights_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_weights_ext_t>.size),
        set_weight: { host, index, data, count, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.setWeights(count: 1, message, size) { _ in (index, data, count) }
        },
        set_weights: { host, count, data, counts, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            guard let data, let counts else { return me.fail("data or element_counts is NULL", into: message, size: size) }
            let expected = me.weightViews()?.count ?? 0
            guard count == Int64(expected) else {
                return me.fail("set_weights got \(count) buffer(s), the model has \(expected) weights", into: message, size: size)
            }
            return me.setWeights(count: Int(count), message, size) { i in (Int64(i), data[i], counts[i]) }
        }))

    // MARK: - trainer.predict/1

    static let predict = make(trainer_predict_ext_t(
        struct_size: UInt32(MemoryLayout<trainer_predict_ext_t>.size),
        validation_batches: { host in
            Int64(context(host)?.session?.validationBatchCount ?? 0)
        },
        predict_validation_batch: { host, batch, out, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.prediction(into: out, message, size) { session in
                let batches = session.validationBatchCount
                guard batches > 0 else { throw ModelError("the run has no validation data") }
                guard batch >= 0, batch < Int64(batches) else {
                    throw ModelError("validation batch \(batch) is outside 0..<\(batches)")
                }
                return try session.predictValidationBatch(Int(batch))
            }
        },
        predict: { host, inputs, rows, inputSize, out, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.prediction(into: out, message, size) { session in
                guard rows >= 0, inputSize > 0, rows <= Int64(Int32.max) else {
                    throw ModelError("predict needs rows >= 0 and input_size > 0, got \(rows) and \(inputSize)")
                }
                guard rows == 0 || inputs != nil else { throw ModelError("inputs is NULL") }
                let (total, overflow) = Int(rows).multipliedReportingOverflow(by: Int(inputSize))
                guard !overflow else { throw ModelError("rows * input_size overflows") }
                return try session.predict(UnsafeBufferPointer(start: inputs, count: total), rows: Int(rows),
                                           inputSize: Int(inputSize))
            }
        }))
}

/// The hook being dispatched: its logs, which "trainer.logs/1" adds to, and whether a plugin
/// changed them (the dispatcher then mirrors them again for the plugins after it).
final class CurrentHook {
    var logs: Logs?
    /// Set by "trainer.logs/1"; read by the dispatcher after every call, through a pointer so
    /// that the read costs a load and nothing else.
    let changed: UnsafeMutablePointer<Bool> = {
        let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        flag.initialize(to: false)
        return flag
    }()

    deinit { changed.deallocate() }
}

/// The reason given to `stop_training_because`, as the host keeps it: UTF-8 (bytes that are
/// not become U+FFFD), cut at a character boundary to at most 1024 bytes; nil for NULL or "".
/// The same text again gives itself, so the relay and the training process agree.
enum StopReason {
    static let maximumBytes = 1024

    static func text(_ reason: UnsafePointer<CChar>?) -> String? {
        guard let reason else { return nil }
        let decoded = String(decoding: UnsafeRawBufferPointer(start: reason, count: min(strlen(reason), 4 * maximumBytes)),
                             as: UTF8.self)
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in decoded.unicodeScalars {
            bytes += UTF8.width(scalar)
            guard bytes <= maximumBytes else { break }
            kept.append(scalar)
        }
        return kept.isEmpty ? nil : String(kept)
    }
}

/// What "trainer.logs/1" accepts as a name.
enum LogName {
    static let rule = "a name is UTF-8, 1 to 255 bytes, without control characters"

    static func check(_ name: UnsafePointer<CChar>?) -> String? {
        guard let name else { return nil }
        let length = strlen(name)
        guard length > 0, length <= 255 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: name, count: length)
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return text
    }
}

extension HostTable {
    /// A trainer.checkpoint/1 call: the directory checked, the error written on failure.
    func checkpointCall(_ dir: UnsafePointer<CChar>?, _ message: UnsafeMutablePointer<CChar>?, _ size: Int,
                                _ body: (TrainingSession, String) throws -> Void) -> trainer_status_t {
        guard let session else { return fail("no training run", into: message, size: size) }
        guard let dir else { return fail("directory is NULL", into: message, size: size) }
        do { try body(session, String(cString: dir)) } catch {
            return fail("\(error)", into: message, size: size)
        }
        return TRAINER_STATUS_OK
    }

    /// Sets `count` weights, each (index, data, element count) from `item`, after checking
    /// them all: nothing changes when one is wrong.
    func setWeights(count: Int, _ message: UnsafeMutablePointer<CChar>?, _ size: Int,
                    _ item: (Int) -> (Int64, UnsafePointer<Float>?, Int64)) -> trainer_status_t {
        guard let session, let views = weightViews() else { return fail("no training run", into: message, size: size) }
        var checked: [(Int, UnsafePointer<Float>)] = []
        for i in 0..<count {
            let (index, data, elements) = item(i)
            guard index >= 0, index < Int64(views.count) else {
                return fail("weight index \(index) is outside 0..<\(views.count)", into: message, size: size)
            }
            let view = views[Int(index)]
            guard elements == Int64(view.count) else {
                return fail("weight \(index) (\(view.name)) has \(view.count) values, got \(elements)", into: message, size: size)
            }
            guard let data else { return fail("the data of weight \(index) is NULL", into: message, size: size) }
            checked.append((Int(index), data))
        }
        do {
            for (index, data) in checked {
                try session.setWeight(index, from: UnsafeBufferPointer(start: data, count: views[index].count))
            }
        } catch {
            return fail("\(error)", into: message, size: size)
        }
        return TRAINER_STATUS_OK
    }

    /// Runs a prediction and hands its view out through `out` (at most its struct_size bytes).
    func prediction(into out: UnsafeMutablePointer<trainer_prediction_t>?, _ message: UnsafeMutablePointer<CChar>?,
                    _ size: Int, _ body: (TrainingSession) throws -> Prediction) -> trainer_status_t {
        guard let out else { return fail("out is NULL", into: message, size: size) }
        guard let session else { return fail("no training run", into: message, size: size) }
        let made: Prediction
        do { made = try body(session) } catch { return fail("\(error)", into: message, size: size) }
        CStruct.copy(trainer_prediction_t(
            struct_size: UInt32(MemoryLayout<trainer_prediction_t>.size), reserved: 0,
            first_sample: Int64(made.firstSample), rows: Int64(made.rows), output_size: Int64(made.outputSize),
            outputs: made.outputs, target_size: Int64(made.targetSize), targets: made.targets), into: out)
        return TRAINER_STATUS_OK
    }
}
