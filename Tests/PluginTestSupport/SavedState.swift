import CTrainerPlugin

/// A plugin's saved state, through `save_state` and `load_state` as the host calls them when
/// it checkpoints and resumes a run.
extension LoadedPlugin {
    /// The bytes `save_state` writes through a sink that collects them; nil when it fails.
    public func saveState(_ instance: UnsafeMutableRawPointer?) -> [UInt8]? {
        let collected = CollectedState()
        var sink = trainer_byte_sink_t()
        sink.struct_size = UInt32(MemoryLayout<trainer_byte_sink_t>.size)
        sink.sink_data = Unmanaged.passUnretained(collected).toOpaque()
        sink.write = { sink, bytes, size in
            let collected = Unmanaged<CollectedState>.fromOpaque(sink!.pointee.sink_data!).takeUnretainedValue()
            collected.bytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: size))
            return statusOK
        }
        let status = withExtendedLifetime(collected) { descriptor.pointee.save_state!(instance, &sink) }
        return status == TRAINER_STATUS_OK ? collected.bytes : nil
    }

    /// Gives `bytes` to `load_state`; its status.
    public func loadState(_ instance: UnsafeMutableRawPointer?, _ bytes: [UInt8]) -> trainer_status_t {
        bytes.withUnsafeBytes { descriptor.pointee.load_state!(instance, $0.baseAddress, $0.count) }
    }
}

/// What a sink collected.
private final class CollectedState {
    var bytes: [UInt8] = []
}
