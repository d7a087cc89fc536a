import CTrainerPlugin
import Foundation

/// The `trainer_host_t` an isolated plugin gets in the plugin host: every function sends a
/// `HostRequest` to the training process and waits for the reply, so the training process
/// takes every decision with the real `HostTable` it made for the plugin. Weight views point
/// into the shared memory the training process fills when asked (descriptor 4), never copied
/// through the socket. What the table hands out (the run directory, view names and shapes,
/// evaluate's logs) lives here, as long as the table or until the next such call.
final class RelayedHostTable {
    let table: UnsafeMutablePointer<trainer_host_t>
    let connection: PluginHostConnection
    private let memory: Int32

    private var runDirectory: UnsafeMutablePointer<CChar>?
    private var region: UnsafeMutableRawPointer?
    private var regionSize = 0
    /// Name and shape buffers of the views handed out, by index.
    private var views: [Int64: (name: UnsafeMutablePointer<CChar>, shape: UnsafeMutablePointer<Int64>)] = [:]
    private var evaluateItems: UnsafeMutablePointer<trainer_log_item_t>?
    private var evaluateCapacity = 0
    private let evaluateLogs: UnsafeMutablePointer<trainer_logs_t>
    /// The last "trainer.predict/1" answer, which the plugin reads until the next call.
    private let predictedOutputs = FloatStorage()
    private let predictedTargets = FloatStorage()

    init(connection: PluginHostConnection, memory: Int32) {
        self.connection = connection
        self.memory = memory
        table = .allocate(capacity: 1)
        table.initialize(to: RelayedHostTable.template)
        evaluateLogs = .allocate(capacity: 1)
        evaluateLogs.initialize(to: trainer_logs_t(struct_size: UInt32(MemoryLayout<trainer_logs_t>.size), count: 0, items: nil))
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        free(runDirectory)
        if let region { munmap(region, regionSize) }
        for view in views.values {
            free(view.name)
            view.shape.deallocate()
        }
        evaluateItems?.deallocate()
        evaluateLogs.deallocate()
        table.deallocate()
    }

    private static func context(_ host: UnsafePointer<trainer_host_t>?) -> RelayedHostTable? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<RelayedHostTable>.fromOpaque(data).takeUnretainedValue()
    }

    private func request(_ request: HostRequest) -> HostReply { connection.request(request) }

    /// A reply of another kind than the call expects: the parent is broken.
    private func unexpected(_ reply: HostReply) -> Never {
        fputs("trainer plugin-host: an unexpected reply from the training process (\(reply))\n", stderr)
        _exit(70)
    }

    private func status(_ request: HostRequest, error: UnsafeMutablePointer<CChar>? = nil, size: Int = 0) -> trainer_status_t {
        switch self.request(request) {
        case .status(let status, let message):
            if status != TRAINER_STATUS_OK { ErrorBuffer.write(message, to: error, size: size) }
            return status
        case let other: unexpected(other)
        }
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }

    private static let template = trainer_host_t(
        struct_size: UInt32(MemoryLayout<trainer_host_t>.size),
        abi: trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR)),
        host_data: nil,
        host_name: HostTable.hostName,
        host_version: HostTable.hostVersion,
        stop_training: { host in
            guard let me = context(host) else { return }
            guard case .done = me.request(.stopTraining) else { return }
        },
        get_learning_rate: { host in
            guard let me = context(host) else { return .nan }
            switch me.request(.getLearningRate) {
            case .number(let rate): return rate
            case let other: me.unexpected(other)
            }
        },
        set_learning_rate: { host, rate in
            context(host)?.status(.setLearningRate(rate)) ?? TRAINER_STATUS_ERROR
        },
        get_run_params: { host, out in
            guard let me = context(host), let out else { return TRAINER_STATUS_ERROR }
            switch me.request(.getRunParams) {
            case .runParams(let status, let p):
                guard status == TRAINER_STATUS_OK else { return status }
                if me.runDirectory.map({ String(cString: $0) }) != p.runDirectory {
                    free(me.runDirectory)
                    me.runDirectory = strdup(p.runDirectory)
                }
                CStruct.copy(p.raw(runDirectory: UnsafePointer(me.runDirectory)), into: out)
                return TRAINER_STATUS_OK
            case let other: me.unexpected(other)
            }
        },
        snapshot_weights: { host in
            guard let me = context(host) else { return -1 }
            switch me.request(.snapshotWeights) {
            case .count(let id): return id
            case let other: me.unexpected(other)
            }
        },
        restore_weights: { host, id in
            context(host)?.status(.restoreWeights(id)) ?? TRAINER_STATUS_ERROR
        },
        release_snapshot: { host, id in
            guard let me = context(host) else { return }
            guard case .done = me.request(.releaseSnapshot(id)) else { return }
        },
        weight_count: { host in
            guard let me = context(host) else { return 0 }
            switch me.request(.weightCount) {
            case .count(let count): return count
            case let other: me.unexpected(other)
            }
        },
        get_weight: { host, index, out in
            guard let me = context(host), let out else { return TRAINER_STATUS_ERROR }
            return me.weight(index, into: out)
        },
        save_weights: { host, path, error, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.status(.saveWeights(path: me.string(path)), error: error, size: size)
        },
        load_weights: { host, path, error, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            return me.status(.loadWeights(path: me.string(path)), error: error, size: size)
        },
        evaluate: { host, out in
            guard let me = context(host), let out else { return TRAINER_STATUS_ERROR }
            switch me.request(.evaluate) {
            case .logs(let status, let items):
                guard status == TRAINER_STATUS_OK else { return status }
                out.pointee = me.fillEvaluateLogs(items)
                return TRAINER_STATUS_OK
            case let other: me.unexpected(other)
            }
        },
        log: { host, level, message in
            guard let me = context(host), let message else { return }
            guard case .done = me.request(.log(level: level, message: String(cString: message))) else { return }
        },
        get_extension: { host, id in
            guard let me = context(host), let id else { return nil }
            let name = String(cString: id)
            let known: UnsafeRawPointer
            switch name {
            case TRAINER_EXT_REPORT: known = UnsafeRawPointer(reportExtension)
            case TRAINER_EXT_CHECKPOINT: known = UnsafeRawPointer(checkpointExtension)
            case TRAINER_EXT_DISTRIBUTED: known = UnsafeRawPointer(distributedExtension)
            case TRAINER_EXT_LOGS: known = UnsafeRawPointer(logsExtension)
            case TRAINER_EXT_WEIGHTS: known = UnsafeRawPointer(weightsExtension)
            case TRAINER_EXT_PREDICT: known = UnsafeRawPointer(predictExtension)
            default: return nil
            }
            switch me.request(.getExtension(name)) {
            case .flag(let has): return has ? known : nil
            case let other: me.unexpected(other)
            }
        },
        stop_training_because: { host, reason in
            guard let me = context(host) else { return }
            guard case .done = me.request(.stopTrainingBecause(StopReason.text(reason) ?? "")) else { return }
        })

    private static let distributedExtension: UnsafeMutablePointer<trainer_distributed_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_distributed_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_distributed_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_distributed_ext_t>.size),
            rank: { host in context(host)?.count(.distributedRank) ?? 0 },
            world_size: { host in context(host)?.count(.distributedWorldSize) ?? 1 }))
        return pointer
    }()

    private static let logsExtension: UnsafeMutablePointer<trainer_logs_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_logs_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_logs_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_logs_ext_t>.size),
            set: { host, name, value in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                // A name the training process would refuse is refused here too, so it never
                // has to travel; the training process checks again.
                guard let text = LogName.check(name) else {
                    me.log(TRAINER_LOG_WARNING, "trainer.logs/1: refused a log name: \(LogName.rule)")
                    return TRAINER_STATUS_ERROR
                }
                return me.status(.logsSet(name: text, value: value))
            }))
        return pointer
    }()

    private static let weightsExtension: UnsafeMutablePointer<trainer_weights_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_weights_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_weights_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_weights_ext_t>.size),
            set_weight: { host, index, data, count, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                guard let values = RelayedHostTable.floats(data, count) else {
                    return me.refuse("the data is NULL or its element count negative", error, size)
                }
                return me.status(.setWeight(index: index, values: values), error: error, size: size)
            },
            set_weights: { host, count, data, counts, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                guard count >= 0, count <= 1 << 20, let data, let counts else {
                    return me.refuse("data or element_counts is NULL, or count is out of range", error, size)
                }
                var all: [[Float]] = []
                for i in 0..<Int(count) {
                    guard let values = RelayedHostTable.floats(data[i], counts[i]) else {
                        return me.refuse("the data of weight \(i) is NULL or its element count negative", error, size)
                    }
                    all.append(values)
                }
                return me.status(.setWeights(all), error: error, size: size)
            }))
        return pointer
    }()

    private static let predictExtension: UnsafeMutablePointer<trainer_predict_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_predict_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_predict_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_predict_ext_t>.size),
            validation_batches: { host in context(host)?.count(.validationBatches) ?? 0 },
            predict_validation_batch: { host, batch, out, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                return me.prediction(.predictValidationBatch(batch), into: out, error, size)
            },
            predict: { host, inputs, rows, inputSize, out, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                let (total, overflow) = rows.multipliedReportingOverflow(by: inputSize)
                guard rows >= 0, inputSize > 0, !overflow, total <= Int64(IsolationWire.maximumFrameLength / 4),
                      rows == 0 || inputs != nil else {
                    return me.refuse("predict needs inputs, rows >= 0 and input_size > 0 within the relay's frame", error, size)
                }
                let values = inputs.map { Array(UnsafeBufferPointer(start: $0, count: Int(total))) } ?? []
                return me.prediction(.predict(rows: rows, inputSize: inputSize, inputs: values), into: out, error, size)
            }))
        return pointer
    }()

    /// `count` floats at `data` as an array, or nil for NULL data or a negative or too large count.
    private static func floats(_ data: UnsafePointer<Float>?, _ count: Int64) -> [Float]? {
        guard count >= 0, count <= Int64(IsolationWire.maximumFrameLength / 4) else { return nil }
        if count == 0 { return [] }
        guard let data else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(count)))
    }

    private func count(_ request: HostRequest) -> Int64 {
        switch self.request(request) {
        case .count(let value): return value
        case let other: unexpected(other)
        }
    }

    private func log(_ level: trainer_log_level_t, _ message: String) {
        guard case .done = request(.log(level: level, message: message)) else { return }
    }

    private func refuse(_ message: String, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> trainer_status_t {
        ErrorBuffer.write(message, to: error, size: size)
        return TRAINER_STATUS_ERROR
    }

    /// A prediction answered by the training process, kept here until the next one.
    private func prediction(_ request: HostRequest, into out: UnsafeMutablePointer<trainer_prediction_t>?,
                            _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> trainer_status_t {
        guard let out else { return refuse("out is NULL", error, size) }
        switch self.request(request) {
        case .prediction(let status, let message, let values):
            guard status == TRAINER_STATUS_OK else {
                _ = refuse(message, error, size)
                return status
            }
            var full = trainer_prediction_t()
            full.struct_size = UInt32(MemoryLayout<trainer_prediction_t>.size)
            full.first_sample = values.firstSample
            full.rows = values.rows
            full.output_size = values.outputSize
            full.target_size = values.targetSize
            full.outputs = UnsafePointer(predictedOutputs.hold(values.outputs))
            full.targets = values.targetSize > 0 ? UnsafePointer(predictedTargets.hold(values.targets)) : nil
            CStruct.copy(full, into: out)
            return TRAINER_STATUS_OK
        case let other: unexpected(other)
        }
    }

    private static let reportExtension: UnsafeMutablePointer<trainer_report_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_report_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_report_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_report_ext_t>.size),
            report: { host, name, value in
                guard let me = context(host), let name else { return }
                guard case .done = me.request(.report(name: String(cString: name), value: value)) else { return }
            }))
        return pointer
    }()

    private static let checkpointExtension: UnsafeMutablePointer<trainer_checkpoint_ext_t> = {
        let pointer = UnsafeMutablePointer<trainer_checkpoint_ext_t>.allocate(capacity: 1)
        pointer.initialize(to: trainer_checkpoint_ext_t(
            struct_size: UInt32(MemoryLayout<trainer_checkpoint_ext_t>.size),
            save: { host, dir, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                return me.status(.checkpointSave(directory: me.string(dir)), error: error, size: size)
            },
            resume: { host, dir, found, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                switch me.request(.checkpointResume(directory: me.string(dir))) {
                case .resume(let status, let wasFound, let message):
                    found?.pointee = wasFound ? 1 : 0
                    if status != TRAINER_STATUS_OK { ErrorBuffer.write(message, to: error, size: size) }
                    return status
                case let other: me.unexpected(other)
                }
            },
            remove: { host, dir, error, size in
                guard let me = context(host) else { return TRAINER_STATUS_ERROR }
                return me.status(.checkpointRemove(directory: me.string(dir)), error: error, size: size)
            }))
        return pointer
    }()

    /// get_weight: the parent copies the weight into the shared region and says where.
    private func weight(_ index: Int64, into out: UnsafeMutablePointer<trainer_tensor_view_t>) -> trainer_status_t {
        switch request(.getWeight(index)) {
        case .weight(let status, let name, let shape, let count, let offset, let size):
            guard status == TRAINER_STATUS_OK else { return status }
            guard count >= 0, offset >= 0, size >= 0, offset + count * 4 <= size, mapRegion(Int(size)) else {
                return TRAINER_STATUS_ERROR
            }
            let buffers: (name: UnsafeMutablePointer<CChar>, shape: UnsafeMutablePointer<Int64>)
            if let known = views[index] {
                buffers = known
            } else {
                let shapeBuffer = UnsafeMutablePointer<Int64>.allocate(capacity: max(shape.count, 1))
                for (i, extent) in shape.enumerated() { shapeBuffer[i] = extent }
                buffers = (strdup(name)!, shapeBuffer)
                views[index] = buffers
            }
            let data = region.map { UnsafePointer(($0 + Int(offset)).assumingMemoryBound(to: Float.self)) }
            CStruct.copy(trainer_tensor_view_t(
                struct_size: UInt32(MemoryLayout<trainer_tensor_view_t>.size), rank: UInt32(shape.count),
                name: UnsafePointer(buffers.name), shape: UnsafePointer(buffers.shape), data: data, element_count: count),
                         into: out)
            return TRAINER_STATUS_OK
        case let other: unexpected(other)
        }
    }

    /// Maps the shared weight region read-only, again when the parent made it larger.
    private func mapRegion(_ size: Int) -> Bool {
        if size == 0 || size <= regionSize { return true }
        if let region { munmap(region, regionSize) }
        region = nil
        regionSize = 0
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, memory, 0), mapped != MAP_FAILED else { return false }
        region = mapped
        regionSize = size
        return true
    }

    private func fillEvaluateLogs(_ items: [HostReply.NamedValue]) -> UnsafePointer<trainer_logs_t> {
        if items.count > evaluateCapacity {
            evaluateItems?.deallocate()
            evaluateCapacity = items.count
            evaluateItems = .allocate(capacity: items.count)
        }
        for (i, item) in items.enumerated() {
            evaluateItems![i] = trainer_log_item_t(name: LogNames.cString(item.name), value: item.value)
        }
        evaluateLogs.pointee.count = UInt32(items.count)
        evaluateLogs.pointee.items = items.isEmpty ? nil : UnsafePointer(evaluateItems)
        return UnsafePointer(evaluateLogs)
    }
}

/// Floats at a stable address, kept until replaced: what the relayed table hands a plugin.
final class FloatStorage {
    private var buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)

    deinit { buffer.deallocate() }

    /// Copies `values` in (growing the storage when needed) and returns where they are.
    func hold(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        if values.count > buffer.count {
            buffer.deallocate()
            buffer = .allocate(capacity: values.count)
        }
        _ = buffer.initialize(from: values)
        return buffer.baseAddress!
    }
}
