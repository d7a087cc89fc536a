import Foundation

/// The plugin host's end of its socket to the training process: blocking, one message at a
/// time (the parent makes one call at a time and waits). A parent that is gone, or that sends
/// garbage, ends the plugin host.
final class PluginHostConnection {
    private let socket: Int32
    private var writer = WireWriter()
    private var frames = WireFrameReader()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)

    init(socket: Int32) { self.socket = socket }

    deinit { scratch.deallocate() }

    func send(_ message: IsolationMessage) {
        writer.reset()
        message.encode(into: &writer)
        writer.bytes.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = Glibc.send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    _exit(0)
                }
                offset += sent
            }
        }
    }

    /// The next message; exits when the parent closed its end, or sent garbage.
    func receive() -> IsolationMessage {
        while true {
            do {
                if let body = try frames.next() { return try IsolationMessage.decode(body) }
            } catch {
                fputs("trainer plugin-host: the training process sent garbage (\(error))\n", stderr)
                _exit(70)
            }
            let count = read(socket, scratch.baseAddress, scratch.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { _exit(0) }
            frames.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
        }
    }

    /// Sends a request of the plugin and waits for the parent's reply.
    func request(_ request: HostRequest) -> HostReply {
        send(.request(request))
        guard case .reply(let reply) = receive() else {
            fputs("trainer plugin-host: the training process did not reply to a host call\n", stderr)
            _exit(70)
        }
        return reply
    }
}
