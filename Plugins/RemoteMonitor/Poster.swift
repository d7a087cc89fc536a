import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one HTTP request at a time and waits for its answer, at most `timeout` seconds.
final class Poster {
    enum Outcome: Equatable {
        /// The server answered with this status code.
        case answered(Int)
        /// No answer: the reason (connection refused, timed out, ...).
        case failed(String)
    }

    private let session: URLSession
    private let timeout: Double

    init(timeout: Double) {
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        // FoundationNetworking counts these in whole seconds (0.5 becomes 0, which times out at
        // once), so they are only a backstop; `post` keeps the exact time itself.
        configuration.timeoutIntervalForRequest = timeout.rounded(.up) + 1
        configuration.timeoutIntervalForResource = timeout.rounded(.up) + 1
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func post(_ request: URLRequest) -> Outcome {
        let answer = Answer()
        let task = session.dataTask(with: request) { _, response, error in
            if let error {
                answer.finish(.failed(Poster.describe(error)))
            } else if let response = response as? HTTPURLResponse {
                answer.finish(.answered(response.statusCode))
            } else {
                answer.finish(.failed("no HTTP response"))
            }
        }
        task.resume()
        if answer.done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            return .failed("no answer within \(timeout) s")
        }
        return answer.outcome ?? .failed("no answer")
    }

    /// A short reason for a failed request ("connection refused", ...).
    static func describe(_ error: Error) -> String {
        guard let error = error as? URLError else { return error.localizedDescription }
        switch error.code {
        case .cannotConnectToHost: return "cannot connect: connection refused or no route"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "the connection was lost"
        case .badServerResponse: return "the server's answer is not HTTP"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed: \(error.localizedDescription)"
        default: return "URL error \(error.code.rawValue): \(error.localizedDescription)"
        }
    }
}

/// The outcome of one request, handed from URLSession's queue to the waiting thread.
private final class Answer: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var value: Poster.Outcome?

    var outcome: Poster.Outcome? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func finish(_ outcome: Poster.Outcome) {
        lock.lock()
        value = outcome
        lock.unlock()
        done.signal()
    }
}
