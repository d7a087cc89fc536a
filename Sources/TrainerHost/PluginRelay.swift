import CTrainerGuard
import CTrainerPlugin
import Foundation

/// The training process's side of an isolated plugin: a child `trainer plugin-host` that
/// loads the plugin, creates it and serves its hooks over a socket pair (descriptor 3 in the
/// child), with the weight views in shared memory (descriptor 4).
///
/// Every call (create, a hook, save_state, load_state, destroy) is sent to the child, then the
/// relay serves the child's requests (the plugin calling its host table) with the real
/// `HostTable` made for the plugin, so every decision is taken here as for a plugin in
/// process, until the child answers the call. The child's time in one call is bounded by the
/// hook timeout (time spent here serving its requests is not counted). A child that crashes,
/// exits, hangs or garbles its answer is killed with its process group and reported by plugin
/// and hook; then `policy` decides: `disable` skips it for the rest of the run, `fail` makes
/// the call fail, which ends the run.
final class PluginRelay {
    let pluginID: String
    private let host: HostTable
    private let policy: PluginFailurePolicy
    private let timeout: Double
    private let failures: PluginFailureLog

    private let pid: pid_t
    private let socket: Int32
    /// The shared memory the weight views' data is copied into, mapped here read-write.
    private let memory: Int32
    private var region: UnsafeMutableRawPointer?
    private var regionSize = 0
    /// Byte offset of each weight's data in the region.
    private var offsets: [Int] = []
    private var counts: [Int] = []
    private var finished = false

    /// Why the plugin host failed, once it has.
    private(set) var failure: PluginFailureLog.Failure?
    /// The hooks the plugin's instance takes.
    private(set) var hooks: [PluginHook] = []
    private var savesState = false
    private var loadsState = false

    private var writer = WireWriter()
    private var frames = WireFrameReader()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
    /// Log names already defined in the child, by the address of their C string (the host's
    /// log names are interned: one address per name).
    private var names: ContiguousArray<(pointer: UnsafePointer<CChar>, id: UInt32)> = []

    /// Starts the plugin host, which loads `plugin` if its file is still the one scanned, and
    /// creates the instance with `values`. Throws `PluginRunError.createFailed` when the plugin
    /// refuses to start, and `isolatedFailed` when the plugin host fails under policy "fail";
    /// under "disable", a failure leaves a relay with no hooks.
    init(plugin: ScannedPlugin, values: [ParameterValue], host: HostTable, policy: PluginFailurePolicy,
         isolation: PluginIsolation) throws {
        pluginID = plugin.id
        self.host = host
        self.policy = policy
        timeout = isolation.timeout
        failures = isolation.failures

        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            scratch.deallocate()
            throw PluginRunError.createFailed(plugin: plugin.id, message: "socketpair: \(String(cString: strerror(errno)))")
        }
        let memory = trainer_shared_memory_create("trainer-weights", 0)
        guard memory >= 0 else {
            close(ends[0]); close(ends[1]); scratch.deallocate()
            throw PluginRunError.createFailed(plugin: plugin.id, message: "memfd_create: \(String(cString: strerror(errno)))")
        }
        do {
            pid = try ChildSpawn.spawn(executable: isolation.executable, arguments: [PluginIsolation.subcommand],
                                       descriptors: [(ends[1], PluginHostService.socketDescriptor),
                                                     (memory, PluginHostService.memoryDescriptor)],
                                       outputToStandardError: false)
        } catch {
            close(ends[0]); close(ends[1]); close(memory); scratch.deallocate()
            throw PluginRunError.createFailed(plugin: plugin.id, message: "the plugin host could not start: \(error)")
        }
        // Only the child holds its end: its death is the end of the connection.
        close(ends[1])
        socket = ends[0]
        self.memory = memory

        let descriptor = (try? ScanJSON.encoder().encode(plugin.descriptor)).map { [UInt8]($0) } ?? []
        writer.reset()
        IsolationMessage.open(.init(path: plugin.path, identity: plugin.identity, descriptor: descriptor, values: values))
            .encode(into: &writer)
        // The plugin host's own start (a process, the Swift runtime) is not the plugin's time.
        let answer = exchange("create", hook: nil, index: 0, allowed: max(timeout, 10))
        switch answer {
        case .created(let mask, let saves, let loads)?:
            hooks = PluginHook.hooks(in: mask)
            savesState = saves
            loadsState = loads
        case .result(_, let message)?:
            finish()
            throw PluginRunError.createFailed(plugin: plugin.id, message: message.isEmpty ? "no reason given" : message)
        case nil:
            if policy == .fail, let failure { throw PluginRunError.isolatedFailed(failure) }
        case let other?:
            failWithGarbage("create", "an answer of the wrong kind (\(other.kindName))")
            if policy == .fail, let failure { throw PluginRunError.isolatedFailed(failure) }
        }
    }

    deinit {
        finish()
        if let region { munmap(region, regionSize) }
        close(memory)
        scratch.deallocate()
    }

    // MARK: - Calls

    /// A hook call, from its trampoline.
    func call(_ hook: PluginHook, _ index: Int64, _ logs: UnsafePointer<trainer_logs_t>?) -> trainer_status_t {
        // The relay bounds the call itself; the in-process watchdog does not count it.
        trainer_guard_leave()
        guard failure == nil else { return afterFailure }
        writer.reset()
        let count = logs.map { Int($0.pointee.count) } ?? 0
        let items = logs?.pointee.items
        for i in 0..<count { _ = nameID(items![i].name) }
        writer.begin(IsolationMessage.Kind.hook.rawValue)
        writer.u8(hook.wireCode)
        writer.i64(index)
        writer.u32(UInt32(count))
        for i in 0..<count {
            writer.u32(nameID(items![i].name))
            writer.f64(items![i].value)
        }
        writer.end()
        switch exchange(hook.rawValue, hook: hook, index: index, allowed: timeout) {
        case .result(let status, _)?: return status
        case nil: return afterFailure
        case let other?:
            failWithGarbage(hook.rawValue, "an answer of the wrong kind (\(other.kindName))", hook: hook, index: index)
            return afterFailure
        }
    }

    /// What a call returns once the plugin host has failed: nothing to do under "disable",
    /// an error (which ends the run) under "fail".
    private var afterFailure: trainer_status_t { policy == .fail ? TRAINER_STATUS_ERROR : TRAINER_STATUS_OK }

    /// The id of a log name, defining it in the child first (a `name` frame before the call's)
    /// the first time.
    private func nameID(_ name: UnsafePointer<CChar>?) -> UInt32 {
        let name = name ?? GuardedCall.cString("")
        for known in names where known.pointer == name { return known.id }
        let id = UInt32(names.count)
        names.append((name, id))
        writer.begin(IsolationMessage.Kind.name.rawValue)
        writer.u32(id)
        writer.cString(name)
        writer.end()
        return id
    }

    func saveState() throws -> [UInt8]? {
        guard failure == nil, savesState else { return try stateAfterFailure() }
        writer.reset()
        IsolationMessage.saveState.encode(into: &writer)
        switch exchange("save_state", hook: nil, index: 0, allowed: timeout) {
        case .state(let status, let bytes)?:
            guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: pluginID, operation: "save_state") }
            return bytes
        case nil: return try stateAfterFailure()
        case let other?:
            failWithGarbage("save_state", "an answer of the wrong kind (\(other.kindName))")
            return try stateAfterFailure()
        }
    }

    func loadState(_ bytes: [UInt8]) throws {
        guard failure == nil, loadsState else { _ = try stateAfterFailure(); return }
        writer.reset()
        IsolationMessage.loadState(bytes).encode(into: &writer)
        switch exchange("load_state", hook: nil, index: 0, allowed: timeout) {
        case .result(let status, _)?:
            guard status == TRAINER_STATUS_OK else { throw PluginRunError.stateFailed(plugin: pluginID, operation: "load_state") }
        case nil: _ = try stateAfterFailure()
        case let other?:
            failWithGarbage("load_state", "an answer of the wrong kind (\(other.kindName))")
            _ = try stateAfterFailure()
        }
    }

    /// A disabled plugin has no state; under "fail", its failure is the error.
    private func stateAfterFailure() throws -> [UInt8]? {
        if policy == .fail, let failure { throw PluginRunError.isolatedFailed(failure) }
        return nil
    }

    /// Calls `destroy` in the plugin host, which then exits; ends it if it does not.
    func destroy() {
        guard failure == nil, !finished else { return finish() }
        writer.reset()
        IsolationMessage.destroy.encode(into: &writer)
        _ = exchange("destroy", hook: nil, index: 0, allowed: timeout)
        finish()
    }

    // MARK: - The exchange

    /// Sends the frames in `writer`, then serves the child's requests until it sends anything
    /// else, which it returns. Nil when the child failed (recorded in `failure`).
    private func exchange(_ entry: String, hook: PluginHook?, index: Int64, allowed: Double) -> IsolationMessage? {
        guard send() else { return childEnded(entry, hook: hook, index: index) }
        var left = allowed
        while true {
            let body: [UInt8]?
            do { body = try frames.next() } catch {
                failWithGarbage(entry, "\(error)", hook: hook, index: index)
                return nil
            }
            if let body {
                let message: IsolationMessage
                do { message = try IsolationMessage.decode(body) } catch {
                    failWithGarbage(entry, "\(error)", hook: hook, index: index)
                    return nil
                }
                guard case .request(let request) = message else { return message }
                writer.reset()
                IsolationMessage.reply(serve(request)).encode(into: &writer)
                guard send() else { return childEnded(entry, hook: hook, index: index) }
                continue
            }
            guard left > 0 else {
                fail(entry, verb: "hung", detail: "no answer within \(ScannerChild.seconds(allowed))", hook: hook, index: index)
                return nil
            }
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let started = ChildSpawn.now()
            let ready = poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up)))
            left -= ChildSpawn.now() - started
            if ready < 0 && errno != EINTR { return childEnded(entry, hook: hook, index: index) }
            guard ready > 0 else { continue }
            let count = read(socket, scratch.baseAddress, scratch.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return childEnded(entry, hook: hook, index: index)
            }
            if count == 0 { return childEnded(entry, hook: hook, index: index) }
            frames.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }

    /// Writes `writer`'s bytes; false when the child is gone.
    private func send() -> Bool {
        writer.bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    // MARK: - Failures

    /// The child closed its end: it crashed, exited, or (killed by the kernel, or a plugin
    /// closed the descriptor) will say so when reaped.
    private func childEnded(_ entry: String, hook: PluginHook?, index: Int64) -> IsolationMessage? {
        let status = ChildSpawn.waitForExit(pid, until: ChildSpawn.now() + 2)
        if status == nil { ChildSpawn.killAndReap(pid) }
        finished = true
        close(socket)
        if let status, status & 0x7f != 0 {
            record(entry, verb: "crashed", detail: ScannerChild.signalName(status & 0x7f), hook: hook, index: index)
        } else if let status {
            record(entry, verb: "exited", detail: "status \((status >> 8) & 0xff)", hook: hook, index: index)
        } else {
            record(entry, verb: "stopped answering", detail: "closed its connection", hook: hook, index: index)
        }
        return nil
    }

    private func failWithGarbage(_ entry: String, _ what: String, hook: PluginHook? = nil, index: Int64 = 0) {
        fail(entry, verb: "garbled its answer", detail: what, hook: hook, index: index)
    }

    /// Ends the child and records why.
    private func fail(_ entry: String, verb: String, detail: String, hook: PluginHook?, index: Int64) {
        finish(waiting: 0)
        record(entry, verb: verb, detail: detail, hook: hook, index: index)
    }

    private func record(_ entry: String, verb: String, detail: String, hook: PluginHook?, index: Int64) {
        var epoch: Int?, batch: Int?
        switch hook {
        case .epochBegin?, .epochEnd?: epoch = Int(index)
        case .trainBatchBegin?, .trainBatchEnd?, .testBatchBegin?, .testBatchEnd?, .predictBatchBegin?, .predictBatchEnd?:
            epoch = failures.currentEpoch?()
            batch = Int(index)
        default: epoch = failures.currentEpoch?()
        }
        let failure = PluginFailureLog.Failure(plugin: pluginID, hook: entry, epoch: epoch, batch: batch,
                                               verb: verb, detail: detail, action: policy)
        self.failure = failure
        failures.record(failure)
        if policy == .disable {
            fputs("warning: \(failure.summary)\(failure.place); disabled for the rest of the run\n", stderr)
        }
    }

    /// Closes the connection and ends the child (killing its process group if it is still
    /// there after `waiting` seconds), once.
    private func finish(waiting: Double = 1) {
        guard !finished else { return }
        finished = true
        close(socket)
        if waiting <= 0 || ChildSpawn.waitForExit(pid, until: ChildSpawn.now() + waiting) == nil {
            ChildSpawn.killAndReap(pid)
        }
    }

    // MARK: - Serving the plugin's requests

    /// Does what the plugin asked through the real host table of this plugin.
    private func serve(_ request: HostRequest) -> HostReply {
        let table = UnsafePointer(host.table)
        let t = table.pointee
        switch request {
        case .stopTraining:
            t.stop_training?(table)
            return .done
        case .getLearningRate:
            return .number(t.get_learning_rate?(table) ?? .nan)
        case .setLearningRate(let rate):
            return .status(t.set_learning_rate?(table, rate) ?? TRAINER_STATUS_ERROR, message: "")
        case .getRunParams:
            var out = trainer_run_params_t()
            out.struct_size = UInt32(MemoryLayout<trainer_run_params_t>.size)
            let status = t.get_run_params?(table, &out) ?? TRAINER_STATUS_ERROR
            return .runParams(status: status, RunParameters(out))
        case .snapshotWeights:
            return .count(t.snapshot_weights?(table) ?? -1)
        case .restoreWeights(let id):
            return .status(t.restore_weights?(table, id) ?? TRAINER_STATUS_ERROR, message: "")
        case .releaseSnapshot(let id):
            t.release_snapshot?(table, id)
            return .done
        case .weightCount:
            return .count(t.weight_count?(table) ?? 0)
        case .getWeight(let index):
            return weight(index, table)
        case .saveWeights(let path):
            return withErrorBuffer { t.save_weights?(table, path, $0, $1) }
        case .loadWeights(let path):
            return withErrorBuffer { t.load_weights?(table, path, $0, $1) }
        case .evaluate:
            var out: UnsafePointer<trainer_logs_t>?
            let status = t.evaluate?(table, &out) ?? TRAINER_STATUS_ERROR
            var items: [HostReply.NamedValue] = []
            if status == TRAINER_STATUS_OK, let logs = out?.pointee, let pointer = logs.items {
                for i in 0..<Int(logs.count) {
                    items.append(.init(name: pointer[i].name.map { String(cString: $0) } ?? "", value: pointer[i].value))
                }
            }
            return .logs(status: status, items)
        case .log(let level, let message):
            t.log?(table, level, message)
            return .done
        case .getExtension(let id):
            return .flag(t.get_extension?(table, id) != nil)
        case .report(let name, let value):
            if let ext = extensionTable(TRAINER_EXT_REPORT, as: trainer_report_ext_t.self, table) { ext.report?(table, name, value) }
            return .done
        case .checkpointSave(let directory):
            guard let ext = extensionTable(TRAINER_EXT_CHECKPOINT, as: trainer_checkpoint_ext_t.self, table) else {
                return .status(TRAINER_STATUS_ERROR, message: "no checkpoints in this host")
            }
            return withErrorBuffer { ext.save?(table, directory, $0, $1) }
        case .checkpointResume(let directory):
            guard let ext = extensionTable(TRAINER_EXT_CHECKPOINT, as: trainer_checkpoint_ext_t.self, table) else {
                return .resume(status: TRAINER_STATUS_ERROR, found: false, message: "no checkpoints in this host")
            }
            var found: Int32 = 0
            var message = ""
            let reply = withErrorBuffer { ext.resume?(table, directory, &found, $0, $1) }
            if case .status(let status, let text) = reply {
                message = text
                return .resume(status: status, found: found != 0, message: message)
            }
            return .resume(status: TRAINER_STATUS_ERROR, found: false, message: message)
        case .checkpointRemove(let directory):
            guard let ext = extensionTable(TRAINER_EXT_CHECKPOINT, as: trainer_checkpoint_ext_t.self, table) else {
                return .status(TRAINER_STATUS_ERROR, message: "no checkpoints in this host")
            }
            return withErrorBuffer { ext.remove?(table, directory, $0, $1) }
        case .stopTrainingBecause(let reason):
            t.stop_training_because?(table, reason)
            return .done
        case .distributedRank:
            return .count(extensionTable(TRAINER_EXT_DISTRIBUTED, as: trainer_distributed_ext_t.self, table)?.rank?(table) ?? 0)
        case .distributedWorldSize:
            return .count(extensionTable(TRAINER_EXT_DISTRIBUTED, as: trainer_distributed_ext_t.self, table)?.world_size?(table) ?? 1)
        case .logsSet(let name, let value):
            let status = extensionTable(TRAINER_EXT_LOGS, as: trainer_logs_ext_t.self, table)?.set?(table, name, value)
            return .status(status ?? TRAINER_STATUS_ERROR, message: "")
        case .setWeight(let index, let values):
            guard let ext = extensionTable(TRAINER_EXT_WEIGHTS, as: trainer_weights_ext_t.self, table) else {
                return .status(TRAINER_STATUS_ERROR, message: "no trainer.weights/1 in this host")
            }
            return values.withUnsafeBufferPointer { buffer in
                withErrorBuffer { ext.set_weight?(table, index, buffer.baseAddress, Int64(buffer.count), $0, $1) }
            }
        case .setWeights(let all):
            guard let ext = extensionTable(TRAINER_EXT_WEIGHTS, as: trainer_weights_ext_t.self, table) else {
                return .status(TRAINER_STATUS_ERROR, message: "no trainer.weights/1 in this host")
            }
            return FloatArrays.withPointers(all) { pointers, counts in
                withErrorBuffer { ext.set_weights?(table, Int64(all.count), pointers, counts, $0, $1) }
            }
        case .validationBatches:
            return .count(extensionTable(TRAINER_EXT_PREDICT, as: trainer_predict_ext_t.self, table)?.validation_batches?(table) ?? 0)
        case .predictValidationBatch(let batch):
            return prediction(table) { ext, out, error, size in ext.predict_validation_batch?(table, batch, out, error, size) }
        case .predict(let rows, let inputSize, let inputs):
            // The frame's counts must describe its floats: the training process never reads
            // past what the plugin host sent.
            let (total, overflow) = rows.multipliedReportingOverflow(by: inputSize)
            guard rows >= 0, inputSize > 0, !overflow, total == Int64(inputs.count) else {
                return .prediction(status: TRAINER_STATUS_ERROR,
                                   message: "predict: \(rows) rows of \(inputSize) values do not match the \(inputs.count) sent", .init())
            }
            return inputs.withUnsafeBufferPointer { buffer in
                prediction(table) { ext, out, error, size in
                    ext.predict?(table, buffer.baseAddress, rows, inputSize, out, error, size)
                }
            }
        }
    }

    /// Runs a trainer.predict/1 call on the real table and copies its batch into the reply.
    private func prediction(_ table: UnsafePointer<trainer_host_t>,
                            _ call: (trainer_predict_ext_t, UnsafeMutablePointer<trainer_prediction_t>,
                                     UnsafeMutablePointer<CChar>, Int) -> trainer_status_t?) -> HostReply {
        guard let ext = extensionTable(TRAINER_EXT_PREDICT, as: trainer_predict_ext_t.self, table) else {
            return .prediction(status: TRAINER_STATUS_ERROR, message: "no trainer.predict/1 in this host", .init())
        }
        var out = trainer_prediction_t()
        out.struct_size = UInt32(MemoryLayout<trainer_prediction_t>.size)
        let reply = withErrorBuffer { error, size in call(ext, &out, error, size) }
        guard case .status(let status, let message) = reply else {
            return .prediction(status: TRAINER_STATUS_ERROR, message: "", .init())
        }
        guard status == TRAINER_STATUS_OK else { return .prediction(status: status, message: message, .init()) }
        var values = HostReply.PredictionValues(firstSample: out.first_sample, rows: out.rows, outputSize: out.output_size,
                                                targetSize: out.target_size)
        if let outputs = out.outputs { values.outputs = Array(UnsafeBufferPointer(start: outputs, count: Int(out.rows * out.output_size))) }
        if let targets = out.targets, out.target_size > 0 {
            values.targets = Array(UnsafeBufferPointer(start: targets, count: Int(out.rows * out.target_size)))
        } else {
            values.targetSize = 0
        }
        return .prediction(status: TRAINER_STATUS_OK, message: "", values)
    }

    private func extensionTable<T>(_ id: String, as type: T.Type, _ table: UnsafePointer<trainer_host_t>) -> T? {
        guard let pointer = table.pointee.get_extension?(table, id) else { return nil }
        return CStruct.known(pointer, as: T.self)
    }

    private func withErrorBuffer(_ body: (UnsafeMutablePointer<CChar>, Int) -> trainer_status_t?) -> HostReply {
        var buffer = [CChar](repeating: 0, count: 1024)
        return buffer.withUnsafeMutableBufferPointer { error in
            let status = body(error.baseAddress!, error.count) ?? TRAINER_STATUS_ERROR
            return .status(status, message: status == TRAINER_STATUS_OK ? "" : ErrorBuffer.read(error.baseAddress!, size: error.count))
        }
    }

    /// get_weight: the view from the real table, its data copied into the shared region at
    /// the weight's place.
    private func weight(_ index: Int64, _ table: UnsafePointer<trainer_host_t>) -> HostReply {
        let refused = HostReply.weight(status: TRAINER_STATUS_ERROR, name: "", shape: [], count: 0, offset: 0, regionSize: 0)
        guard layOutRegion(table), index >= 0, Int(index) < counts.count else { return refused }
        var view = trainer_tensor_view_t()
        view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
        guard table.pointee.get_weight?(table, index, &view) == TRAINER_STATUS_OK, let data = view.data,
              Int(view.element_count) == counts[Int(index)] else { return refused }
        let offset = offsets[Int(index)]
        if view.element_count > 0 {
            (region! + offset).copyMemory(from: data, byteCount: Int(view.element_count) * MemoryLayout<Float>.size)
        }
        let shape = (0..<Int(view.rank)).map { view.shape?[$0] ?? 0 }
        return .weight(status: TRAINER_STATUS_OK, name: view.name.map { String(cString: $0) } ?? "", shape: shape,
                       count: view.element_count, offset: Int64(offset), regionSize: Int64(regionSize))
    }

    /// Sizes the shared region for every weight of the run (they keep their shapes for the
    /// run's life) and maps it, on first use.
    private func layOutRegion(_ table: UnsafePointer<trainer_host_t>) -> Bool {
        if region != nil || (!counts.isEmpty && regionSize == 0) { return true }
        let count = Int(table.pointee.weight_count?(table) ?? 0)
        var size = 0
        for index in 0..<count {
            var view = trainer_tensor_view_t()
            view.struct_size = UInt32(MemoryLayout<trainer_tensor_view_t>.size)
            guard table.pointee.get_weight?(table, Int64(index), &view) == TRAINER_STATUS_OK, view.element_count >= 0 else {
                return false
            }
            offsets.append(size)
            counts.append(Int(view.element_count))
            size += (Int(view.element_count) * MemoryLayout<Float>.size + 63) / 64 * 64
        }
        guard size > 0 else { return true }
        guard ftruncate(memory, off_t(size)) == 0,
              let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, memory, 0), mapped != MAP_FAILED else {
            offsets = []
            counts = []
            return false
        }
        region = mapped
        regionSize = size
        return true
    }
}

extension IsolationMessage {
    /// The kind's name, for messages about a wrong answer.
    var kindName: String {
        switch self {
        case .open: return "open"
        case .name: return "name"
        case .hook: return "hook"
        case .saveState: return "save_state"
        case .loadState: return "load_state"
        case .destroy: return "destroy"
        case .reply: return "reply"
        case .created: return "created"
        case .result: return "result"
        case .state: return "state"
        case .request: return "request"
        }
    }
}
