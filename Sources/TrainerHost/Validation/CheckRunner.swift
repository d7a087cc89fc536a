import CTrainerPlugin
import Foundation
import Logging
import TrainerEngine

/// Runs one validator check on a plugin file, in this process: the child process of
/// `trainer validate-check`. Before each call into the plugin it says where it is
/// (`calling`), so that a crash or a hang there is named by the validator.
struct CheckRunner {
    var check: ValidationCheck
    var path: String
    /// `--set` settings, as typed: read with the plugin's schema.
    var settings: [(key: String, value: String)]
    var seed: UInt64
    var logger: Logger
    var calling: (String) -> Void

    /// Ends the check with a failure.
    struct Failure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Ends a run of hooks that refused edge-case logs (an error status), which they may.
    struct Refused: Error {
        var hook: String
    }

    func run() -> (CheckStatus, String) {
        do {
            return try runChecked()
        } catch let failure as Failure {
            return (.fail, failure.reason)
        } catch {
            return (.fail, "\(error)")
        }
    }

    private func runChecked() throws -> (CheckStatus, String) {
        let plugin = try load()
        switch check {
        case .scan:
            return (.pass, "opened in this process")
        case .descriptor:
            return try describe(plugin)
        case .create:
            try withDefaultInstance(plugin, session(0)) { _ in }
            let given = settings.isEmpty ? "" : " (with " + settings.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
            return (.pass, "created with the defaults\(given) and destroyed")
        case .createEdgeCases:
            return try edgeCases(plugin)
        case .fit, .evaluate, .predict:
            return try lifecycles(plugin)
        case .state:
            return try state(plugin)
        case .threads:
            HostCallThreads.start()
            let hooks = HostCallThreads.current()
            try everything(plugin)
            let others = HostCallThreads.stop().subtracting([hooks])
            guard others.isEmpty else {
                throw Failure("the plugin called the host table from \(others.count) thread(s) other than the one that "
                              + "called its hooks: host functions may be called only from inside a call the host made, on its thread")
            }
            return (.pass, "every call of the host table came from the hooks' thread")
        case .stdout:
            try everything(plugin)
            return (.pass, "ran fit, evaluate, predict and the state calls")
        }
    }

    // MARK: - Loading and creating

    private func load() throws -> LoadedPlugin {
        switch PluginLoader.open(path: path, expectedParameterCount: nil, stage: { calling($0.phrase) }) {
        case .failure(let problem): throw Failure("does not load: \(problem.reason)")
        case .success(let plugin): return plugin
        }
    }

    /// One value per parameter: the default, or the `--set` value.
    private func defaults(_ plugin: LoadedPlugin) throws -> [ParameterValue] {
        var values = plugin.descriptor.parameters.map(\.defaultValue)
        for spec in plugin.descriptor.parameters where spec.required && !settings.contains(where: { $0.key == spec.name }) {
            throw Failure("parameter \(spec.name) is required: give it with --set \(spec.name)=VALUE")
        }
        for (key, text) in settings {
            guard let index = plugin.descriptor.parameters.firstIndex(where: { $0.name == key }) else {
                throw Failure("--set \(key): the plugin has no parameter \(key)")
            }
            switch plugin.descriptor.parameters[index].parse(text: text) {
            case .success(let value): values[index] = value
            case .failure(let problem): throw Failure("--set \(key): \(problem.message)")
            }
        }
        return values
    }

    /// A session whose run directory is `run-N` in the working directory (made here).
    private func session(_ number: Int) -> ValidationSession {
        let directory = FileManager.default.currentDirectoryPath + "/run-\(number)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return ValidationSession(runDirectory: directory, epochs: 2, steps: 3, samples: 96, validationSamples: 64)
    }

    /// Creates an instance, runs `body` with it, then destroys it. A create that fails throws
    /// PluginRunError.createFailed.
    private func withInstance<R>(_ plugin: LoadedPlugin, _ values: [ParameterValue], _ session: ValidationSession,
                                 _ what: String, _ body: (PluginInstance) throws -> R) throws -> R {
        calling(what)
        var instance: PluginInstance? = try PluginInstance(plugin: plugin, values: values, session: session, logger: logger)
        defer {
            calling("destroy")
            instance = nil
        }
        return try body(instance!)
    }

    /// Creates with the defaults, saying so clearly when the plugin refuses them.
    private func withDefaultInstance<R>(_ plugin: LoadedPlugin, _ session: ValidationSession,
                                        _ body: (PluginInstance) throws -> R) throws -> R {
        do {
            return try withInstance(plugin, try defaults(plugin), session, "create with the defaults", body)
        } catch PluginRunError.createFailed(_, let message) {
            throw Failure("create refused the defaults: \(message)"
                          + " (give the parameters a run needs with --set key=value)")
        }
    }

    // MARK: - The descriptor

    private func describe(_ plugin: LoadedPlugin) throws -> (CheckStatus, String) {
        let d = plugin.descriptor
        var findings: [String] = []
        if d.abiMinor > UInt32(TRAINER_ABI_MINOR) {
            findings.append("built for ABI \(d.abiText), newer than this host's \(TRAINER_ABI_MAJOR).\(TRAINER_ABI_MINOR)")
        }
        if d.version.isEmpty { findings.append("no version") }
        if d.name.isEmpty { findings.append("no name") }
        for spec in d.parameters {
            if let lo = spec.minimum, let hi = spec.maximum, lo > hi {
                findings.append("parameter \(spec.name): minimum \(lo) is above maximum \(hi)")
            }
            if spec.type == .int {
                for bound in [spec.minimum, spec.maximum].compactMap({ $0 }) where bound.rounded() != bound {
                    findings.append("parameter \(spec.name): an int parameter with the bound \(bound)")
                }
            }
            if spec.choices.contains("") { findings.append("parameter \(spec.name): an empty choice") }
            if Set(spec.choices).count != spec.choices.count { findings.append("parameter \(spec.name): a choice listed twice") }
            if !spec.required, case .failure(let problem) = spec.validate(spec.defaultValue) {
                findings.append("parameter \(spec.name): default \(spec.defaultValue) does not fit: \(problem.message)")
            }
        }
        guard findings.isEmpty else { throw Failure(findings.joined(separator: "; ")) }
        let version = d.version.isEmpty ? "" : " \(d.version)"
        return (.pass, "\(d.id)\(version), ABI \(d.abiText), \(d.parameters.count) parameter(s), \(d.hooks.count) hook(s), "
                + "descriptor \(plugin.raw.struct_size) bytes, hooks \(plugin.hookTable.struct_size) bytes"
                + (d.savesState ? ", saves state" : ""))
    }

    // MARK: - Edge-case parameters

    /// The values of `spec` worth trying that its schema allows.
    static func edgeValues(_ spec: ParameterSpec) -> [ParameterValue] {
        var candidates: [ParameterValue] = []
        switch spec.type {
        case .bool:
            candidates = [.bool(true), .bool(false)]
        case .int:
            candidates = [spec.minimum, spec.maximum].compactMap { $0 }.map { .int(Int64(exactly: $0) ?? 0) }
                + [.int(0), .int(1), .int(-1), .int(Int64.max), .int(Int64.min)]
        case .double:
            candidates = [spec.minimum, spec.maximum].compactMap { $0 }.map { .double($0) }
                + [.double(0), .double(-0.0), .double(1), .double(-1), .double(1e-300), .double(1e300),
                   .double(.infinity), .double(-.infinity), .double(.nan)]
        case .string:
            candidates = spec.choices.isEmpty
                ? [.string(""), .string(String(repeating: "x", count: 4096)), .string("ünïcödé ✓"), .string("a/../b")]
                : spec.choices.map { .string($0) }
        }
        if spec.nullable { candidates.append(.none) }
        var seen: [String] = []
        return candidates.compactMap { value in
            guard case .success(let checked) = spec.validate(value) else { return nil }
            let key = "\(checked)"
            guard !seen.contains(key) else { return nil }
            seen.append(key)
            return checked
        }
    }

    private func edgeCases(_ plugin: LoadedPlugin) throws -> (CheckStatus, String) {
        let base = try defaults(plugin)
        var created = 0
        var refused = 0
        for (index, spec) in plugin.descriptor.parameters.enumerated() {
            for value in Self.edgeValues(spec) {
                var values = base
                values[index] = value
                let shown = value.description.count > 40 ? String(value.description.prefix(40)) + "...\"" : value.description
                do {
                    try withInstance(plugin, values, session(0), "create with \(spec.name)=\(shown)") { _ in }
                    created += 1
                } catch PluginRunError.createFailed(_, let message) {
                    guard message != "no reason given" else {
                        throw Failure("create with \(spec.name)=\(shown) failed without a message in the error buffer")
                    }
                    refused += 1
                }
            }
        }
        guard created + refused > 0 else { return (.pass, "no parameters") }
        return (.pass, "\(created + refused) edge-case values: \(created) created and destroyed, \(refused) refused with a message")
    }

    // MARK: - Lifecycles

    private struct Driver {
        let dispatcher: PluginDispatcher
        let session: ValidationSession
        let logs: ValidationLogs
        let calling: (String) -> Void
        static let none = Logs()

        func step(_ what: String, _ body: () throws -> Void) throws {
            calling("\(what) with \(logs.name) logs")
            do { try body() } catch PluginRunError.hookFailed {
                if logs.mayRefuse { throw Refused(hook: what) }
                throw Failure("\(what) returned an error with \(logs.name) logs")
            }
        }

        func fit() throws {
            try step("on_train_begin") { try dispatcher.trainBegin(logs: Self.none) }
            for epoch in 0..<session.runParameters.epochs {
                logs.advance(to: epoch)
                try step("on_epoch_begin (epoch \(epoch))") { try dispatcher.epochBegin(epoch, logs: Self.none) }
                for batch in 0..<session.runParameters.steps {
                    try step("on_train_batch_begin (epoch \(epoch), batch \(batch))") { try dispatcher.trainBatchBegin(batch, logs: Self.none) }
                    try step("on_train_batch_end (epoch \(epoch), batch \(batch))") { try dispatcher.trainBatchEnd(batch, logs: logs.batch) }
                }
                try test(during: "epoch \(epoch), ")
                try step("on_epoch_end (epoch \(epoch))") { try dispatcher.epochEnd(epoch, logs: logs.epoch) }
                if session.stopRequested { break }
            }
            try step("on_train_end") { try dispatcher.trainEnd(logs: logs.epoch) }
        }

        func test(during: String = "") throws {
            try step("on_test_begin") { try dispatcher.testBegin(logs: Self.none) }
            for batch in 0..<2 {
                try step("on_test_batch_begin (\(during)batch \(batch))") { try dispatcher.testBatchBegin(batch, logs: Self.none) }
                try step("on_test_batch_end (\(during)batch \(batch))") { try dispatcher.testBatchEnd(batch, logs: logs.test) }
            }
            try step("on_test_end") { try dispatcher.testEnd(logs: logs.test) }
        }

        func predict() throws {
            try step("on_predict_begin") { try dispatcher.predictBegin(logs: Self.none) }
            for batch in 0..<2 {
                try step("on_predict_batch_begin (batch \(batch))") { try dispatcher.predictBatchBegin(batch, logs: Self.none) }
                try step("on_predict_batch_end (batch \(batch))") { try dispatcher.predictBatchEnd(batch, logs: logs.batch) }
            }
            try step("on_predict_end") { try dispatcher.predictEnd(logs: Self.none) }
        }
    }

    private func drive(_ plugin: LoadedPlugin, _ logs: ValidationLogs, number: Int, _ body: (Driver) throws -> Void) throws {
        let session = session(number)
        try withDefaultInstance(plugin, session) { instance in
            try body(Driver(dispatcher: PluginDispatcher(instances: [instance]), session: session, logs: logs, calling: calling))
        }
    }

    private func lifecycles(_ plugin: LoadedPlugin) throws -> (CheckStatus, String) {
        var refusals: [String] = []
        for (number, logs) in ValidationLogs.all.enumerated() {
            do {
                try drive(plugin, logs, number: number) { driver in
                    switch check {
                    case .fit: try driver.fit()
                    case .evaluate: try driver.test()
                    default: try driver.predict()
                    }
                }
            } catch let refused as Refused {
                refusals.append("\(logs.name) logs in \(refused.hook)")
            }
        }
        let what = check == .fit ? "fit (2 epochs of 3 batches, validation)" : check.rawValue
        let flavours = ValidationLogs.all.map(\.name).joined(separator: ", ")
        return (.pass, "\(what) with \(flavours) logs"
                + (refusals.isEmpty ? "" : "; refused (error status): " + refusals.joined(separator: ", ")))
    }

    /// fit, evaluate and predict with typical logs, then the state calls.
    private func everything(_ plugin: LoadedPlugin) throws {
        try drive(plugin, .typical, number: 0) { driver in
            try driver.fit()
            try driver.test()
            try driver.predict()
            if plugin.descriptor.savesState {
                calling("save_state")
                if let bytes = try driver.dispatcher.instances[0].saveState() {
                    calling("load_state with the \(bytes.count) bytes save_state wrote")
                    try driver.dispatcher.instances[0].loadState(bytes)
                }
            }
        }
    }

    // MARK: - State

    private func state(_ plugin: LoadedPlugin) throws -> (CheckStatus, String) {
        guard plugin.descriptor.savesState else { return (.skip, "the plugin keeps no state (save_state is NULL)") }
        var saved: [UInt8] = []
        try drive(plugin, .typical, number: 0) { driver in
            try driver.fit()
            calling("save_state after fit")
            do { saved = try driver.dispatcher.instances[0].saveState() ?? [] } catch {
                throw Failure("save_state returned an error after fit")
            }
        }
        var again: [UInt8] = []
        try withDefaultInstance(plugin, session(1)) { instance in
            calling("load_state with the \(saved.count) bytes save_state wrote")
            do { try instance.loadState(saved) } catch {
                throw Failure("load_state refused the \(saved.count) bytes its own save_state wrote")
            }
            calling("save_state after load_state")
            do { again = try instance.saveState() ?? [] } catch {
                throw Failure("save_state returned an error after load_state")
            }
        }
        guard again == saved else {
            let at = zip(saved, again).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(saved.count, again.count)
            throw Failure("save_state after load_state wrote \(again.count) bytes that differ from the \(saved.count) bytes loaded "
                          + "(first at byte \(at))")
        }
        var refused = 0
        var accepted = 0
        for (name, bytes) in Self.hostileStates(saved: saved, seed: seed) {
            try withDefaultInstance(plugin, session(2)) { instance in
                calling("load_state with \(name)")
                do { try instance.loadState(bytes); accepted += 1 } catch { refused += 1 }
                calling("save_state after load_state with \(name)")
                _ = try? instance.saveState()
            }
        }
        return (.pass, "save_state → load_state → save_state identical (\(saved.count) bytes); "
                + "empty and random inputs: \(refused) refused, \(accepted) accepted")
    }

    /// Empty bytes, random bytes, and the saved state truncated, with a byte changed, and
    /// with bytes appended: each named for a failure, all drawn from `seed`.
    static func hostileStates(saved: [UInt8], seed: UInt64) -> [(String, [UInt8])] {
        var random = SplitMix64(seed: seed)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        var cases: [(String, [UInt8])] = [("empty bytes", [])]
        for number in 0..<8 {
            let count = Int(random.next() % (number < 4 ? 16 : 4096)) + 1
            cases.append(("\(count) random bytes (random case \(number))", bytes(count)))
        }
        if !saved.isEmpty {
            let cut = Int(random.next() % UInt64(saved.count))
            cases.append(("its saved state cut to \(cut) of \(saved.count) bytes", Array(saved[..<cut])))
            for number in 0..<4 {
                var changed = saved
                let at = Int(random.next() % UInt64(saved.count))
                changed[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                cases.append(("its saved state with byte \(at) changed (random case \(number))", changed))
            }
            cases.append(("its saved state and 64 random bytes more", saved + bytes(64)))
        }
        return cases
    }
}
