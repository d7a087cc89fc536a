import CTrainerPlugin
import Foundation
import Logging
import TrainerEngine

/// The `trainer_host_t` given to one plugin instance, and the state behind it: the
/// instance's weight snapshots and the buffers for what the table hands out.
final class HostTable {
    let pluginID: String
    let table: UnsafeMutablePointer<trainer_host_t>
    /// The run this instance serves; nil outside a run (then every service fails cleanly).
    weak var session: TrainingSession?
    let logger: Logger

    private var snapshots: [Int64: [[Float]]] = [:]
    private var nextSnapshot: Int64 = 0
    private var runDirectory: UnsafeMutablePointer<CChar>?
    private var views: [WeightView]?
    private var shapes: [UnsafeMutablePointer<Int64>] = []
    private var weightNames: [UnsafeMutablePointer<CChar>] = []
    private let evaluateLogs = CLogs()
    /// The hook the dispatcher is calling, whose logs "trainer.logs/1" writes into.
    var currentHook: CurrentHook?
    /// What the plugin stated through "trainer.report/1", in first-report order.
    private(set) var reports: [(name: String, value: Double)] = []

    init(pluginID: String, session: TrainingSession?, logger: Logger) {
        self.pluginID = pluginID
        self.session = session
        self.logger = logger
        table = .allocate(capacity: 1)
        table.initialize(to: HostTable.template)
        table.pointee.host_data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        free(runDirectory)
        shapes.forEach { $0.deallocate() }
        weightNames.forEach { free($0) }
        table.deallocate()
    }

    static let hostName = UnsafePointer(strdup("trainer")!)
    static let hostVersion = UnsafePointer(strdup(TrainerVersion.current)!)

    static func context(_ host: UnsafePointer<trainer_host_t>?) -> HostTable? {
        HostCallThreads.note()
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<HostTable>.fromOpaque(data).takeUnretainedValue()
    }

    func fail(_ message: String, into error: UnsafeMutablePointer<CChar>?, size: Int) -> trainer_status_t {
        ErrorBuffer.write(message, to: error, size: size)
        return TRAINER_STATUS_ERROR
    }

    private func warnNoSession(_ what: String) {
        logger.warning("\(what) is not available outside a training run", metadata: ["plugin": "\(pluginID)"])
    }

    private static let template = trainer_host_t(
        struct_size: UInt32(MemoryLayout<trainer_host_t>.size),
        abi: trainer_abi_version_t(major: UInt32(TRAINER_ABI_MAJOR), minor: UInt32(TRAINER_ABI_MINOR)),
        host_data: nil,
        host_name: hostName,
        host_version: hostVersion,
        stop_training: { host in
            context(host)?.session?.requestStop()
        },
        get_learning_rate: { host in
            context(host)?.session?.learningRate ?? .nan
        },
        set_learning_rate: { host, rate in
            guard let me = context(host), let session = me.session else { return TRAINER_STATUS_ERROR }
            guard rate.isFinite, rate >= 0 else {
                me.logger.warning("refused learning rate \(rate): it must be finite and >= 0", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            do { try session.setLearningRate(rate) } catch {
                me.logger.warning("could not set the learning rate: \(error)", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            return TRAINER_STATUS_OK
        },
        get_run_params: { host, out in
            guard let me = context(host), let out else { return TRAINER_STATUS_ERROR }
            guard let session = me.session else { me.warnNoSession("get_run_params"); return TRAINER_STATUS_ERROR }
            let p = session.runParameters
            if me.runDirectory.map({ String(cString: $0) }) != p.runDirectory {
                free(me.runDirectory)
                me.runDirectory = strdup(p.runDirectory)
            }
            CStruct.copy(p.raw(runDirectory: UnsafePointer(me.runDirectory)), into: out)
            return TRAINER_STATUS_OK
        },
        snapshot_weights: { host in
            guard let me = context(host), let session = me.session else { return -1 }
            let id = me.nextSnapshot
            me.nextSnapshot += 1
            me.snapshots[id] = session.snapshotWeights()
            return id
        },
        restore_weights: { host, id in
            guard let me = context(host), let session = me.session, let snapshot = me.snapshots[id] else {
                return TRAINER_STATUS_ERROR
            }
            do { try session.restoreWeights(snapshot) } catch {
                me.logger.warning("could not restore weights: \(error)", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            return TRAINER_STATUS_OK
        },
        release_snapshot: { host, id in
            context(host)?.snapshots[id] = nil
        },
        weight_count: { host in
            Int64(context(host)?.weightViews()?.count ?? 0)
        },
        get_weight: { host, index, out in
            guard let me = context(host), let views = me.weightViews(), let out else { return TRAINER_STATUS_ERROR }
            guard index >= 0, index < views.count else { return TRAINER_STATUS_ERROR }
            let view = views[Int(index)]
            CStruct.copy(trainer_tensor_view_t(
                struct_size: UInt32(MemoryLayout<trainer_tensor_view_t>.size),
                rank: UInt32(view.shape.count),
                name: UnsafePointer(me.weightNames[Int(index)]),
                shape: UnsafePointer(me.shapes[Int(index)]),
                data: view.data, element_count: Int64(view.count)), into: out)
            return TRAINER_STATUS_OK
        },
        save_weights: { host, path, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            guard let session = me.session else { return me.fail("no training run", into: message, size: size) }
            guard let path else { return me.fail("path is NULL", into: message, size: size) }
            do { try session.saveWeights(to: String(cString: path)) } catch {
                return me.fail("\(error)", into: message, size: size)
            }
            return TRAINER_STATUS_OK
        },
        load_weights: { host, path, message, size in
            guard let me = context(host) else { return TRAINER_STATUS_ERROR }
            guard let session = me.session else { return me.fail("no training run", into: message, size: size) }
            guard let path else { return me.fail("path is NULL", into: message, size: size) }
            do { try session.loadWeights(from: String(cString: path)) } catch {
                return me.fail("\(error)", into: message, size: size)
            }
            return TRAINER_STATUS_OK
        },
        evaluate: { host, out in
            guard let me = context(host), let out else { return TRAINER_STATUS_ERROR }
            guard let session = me.session else { me.warnNoSession("evaluate"); return TRAINER_STATUS_ERROR }
            do {
                let logs = try session.evaluate()
                out.pointee = me.evaluateLogs.fill(from: logs)
            } catch {
                me.logger.warning("evaluate failed: \(error)", metadata: ["plugin": "\(me.pluginID)"])
                return TRAINER_STATUS_ERROR
            }
            return TRAINER_STATUS_OK
        },
        log: { host, level, message in
            guard let me = context(host), let message else { return }
            let text = String(cString: message)
            let metadata: Logger.Metadata = ["plugin": "\(me.pluginID)"]
            switch level {
            case TRAINER_LOG_DEBUG: me.logger.debug("\(text)", metadata: metadata)
            case TRAINER_LOG_INFO: me.logger.info("\(text)", metadata: metadata)
            case TRAINER_LOG_WARNING: me.logger.warning("\(text)", metadata: metadata)
            default: me.logger.error("\(text)", metadata: metadata)
            }
        },
        get_extension: { _, id in
            HostCallThreads.note()
            guard let id else { return nil }
            return HostExtensions.table(for: String(cString: id))
        },
        stop_training_because: { host, reason in
            guard let me = context(host) else { return }
            me.session?.requestStop(plugin: me.pluginID, reason: StopReason.text(reason))
        })

    func record(_ name: String, _ value: Double) {
        if let index = reports.firstIndex(where: { $0.name == name }) {
            reports[index].value = value
        } else {
            reports.append((name, value))
        }
    }

    /// The session's weight views, with C name and shape buffers for them, made on first use:
    /// a run's weights keep their place and shape for its whole life.
    func weightViews() -> [WeightView]? {
        if let views { return views }
        guard let session else { return nil }
        let made = session.weightViews()
        views = made
        shapes = made.map { view in
            let buffer = UnsafeMutablePointer<Int64>.allocate(capacity: max(view.shape.count, 1))
            for (i, extent) in view.shape.enumerated() { buffer[i] = Int64(extent) }
            return buffer
        }
        weightNames = made.map { strdup($0.name)! }
        return made
    }
}

/// The host's version, given to plugins as `host_version`.
public enum TrainerVersion {
    public static let current = "0.1.0"
}
