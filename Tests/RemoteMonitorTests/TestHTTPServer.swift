import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the tests: listens on a free port, accepts at most
/// `maxConnections` connections (one request each), records every request, answers each with
/// the next status of `statuses` (the last one repeats) or not at all, and stops by itself
/// after `lifetime` seconds at the latest.
final class TestHTTPServer: @unchecked Sendable {
    struct Request {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: String

        /// The value of the header `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    enum Behavior {
        /// Answers with these statuses in turn; the last repeats.
        case answer([Int])
        /// Reads the request and never answers; closes when the client gives up.
        case silent
    }

    let port: UInt16
    var root: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let behavior: Behavior
    private let maxConnections: Int
    private let deadline: Date
    private let lock = NSCondition()
    private var recorded: [Request] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ behavior: Behavior = .answer([200]), maxConnections: Int = 8, lifetime: TimeInterval = 20) throws {
        self.behavior = behavior
        self.maxConnections = maxConnections
        deadline = Date().addingTimeInterval(lifetime)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(systemError())") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = systemError()
            close(fd)
            throw ServerError("bind/listen: \(reason)")
        }
        do {
            port = try boundPort(of: fd)
        } catch {
            close(fd)
            throw error
        }
        listener = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit {
        stop()
    }

    /// Stops accepting and waits for the server thread (a few seconds at most).
    func stop() {
        lock.lock()
        let already = stopping
        stopping = true
        lock.unlock()
        if !already { _ = finished.wait(timeout: .now() + 10) }
    }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// The requests received, once there are at least `count` (or after `seconds`, whatever
    /// arrived): for a client that does not wait for the answer to know the server read it.
    func requests(atLeast count: Int, within seconds: TimeInterval = 10) -> [Request] {
        let limit = Date().addingTimeInterval(seconds)
        lock.lock()
        defer { lock.unlock() }
        while recorded.count < count && lock.wait(until: limit) {}
        return recorded
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping || Date() >= deadline
    }

    private func serve() {
        var served = 0
        while served < maxConnections && !shouldStop {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            handle(connection, number: served)
            close(connection)
            served += 1
        }
        close(listener)
        finished.signal()
    }

    private func handle(_ connection: Int32, number: Int) {
        guard let request = readRequest(connection) else { return }
        lock.lock()
        recorded.append(request)
        lock.broadcast()
        lock.unlock()
        switch behavior {
        case .answer(let statuses):
            let status = statuses[min(number, statuses.count - 1)]
            let response = "HTTP/1.1 \(status) Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = response.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        case .silent:
            // Wait, bounded, until the client closes the connection.
            var buffer = [UInt8](repeating: 0, count: 256)
            while !shouldStop {
                var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 50) > 0, recv(connection, &buffer, buffer.count, 0) <= 0 { break }
            }
        }
    }

    /// Reads one request: head up to the blank line, then Content-Length bytes of body.
    private func readRequest(_ connection: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        var bodyLength = 0
        let limit = Date().addingTimeInterval(5)
        while Date() < limit && data.count < 1 << 20 {
            if let end = headEnd, data.count >= end + bodyLength { break }
            var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            data.append(contentsOf: buffer[..<count])
            if headEnd == nil, let range = findBlankLine(data) {
                headEnd = range
                let head = String(decoding: data[..<range], as: UTF8.self)
                for line in head.components(separatedBy: "\r\n") {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        bodyLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                    if parts.count == 2, parts[0].lowercased() == "expect" {
                        let answer = "HTTP/1.1 100 Continue\r\n\r\n"
                        _ = answer.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    }
                }
            }
        }
        guard let end = headEnd else { return nil }
        let lines = String(decoding: data[..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = String(decoding: data[end..<min(data.count, end + bodyLength)], as: UTF8.self)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The index just past the first "\r\n\r\n", or nil.
private func findBlankLine(_ data: [UInt8]) -> Int? {
    guard data.count >= 4 else { return nil }
    for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
        return i + 4
    }
    return nil
}

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

private func boundPort(of socket: Int32) throws -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let status = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    guard status == 0 else { throw ServerError("getsockname: \(systemError())") }
    return UInt16(bigEndian: address.sin_port)
}

/// A loopback port with nothing listening: bound to find a free one, then closed.
func closedLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ServerError("socket failed") }
    defer { close(fd) }
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw ServerError("bind failed") }
    return try boundPort(of: fd)
}

private func systemError() -> String {
    String(cString: strerror(errno))
}
