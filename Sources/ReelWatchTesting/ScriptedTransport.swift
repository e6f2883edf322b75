import HTTPTypes
import NIOCore
import ReelWatch
import Synchronization

/// An ``HTTPTransport`` that answers from a script and records every request, for unit tests.
public final class ScriptedTransport: HTTPTransport, Sendable {
    /// One scripted answer.
    public enum Answer: Sendable {
        /// A response with this status, headers and body.
        case response(status: Int, headers: HTTPFields = [:], body: [UInt8])
        /// A transport failure (connection refused, reset, timeout).
        case failure(any Error & Sendable)

        /// A JSON response.
        public static func json(_ text: String, status: Int = 200, headers: HTTPFields = [:]) -> Answer {
            .response(status: status, headers: headers, body: Array(text.utf8))
        }
    }

    private struct State {
        var answers: [Answer]
        var requests: [HTTPRequest] = []
        var bodies: [[UInt8]?] = []
    }

    private let state: Mutex<State>

    /// Creates a transport that gives `answers` in order; once they run out, every request fails.
    public init(_ answers: [Answer]) {
        self.state = Mutex(State(answers: answers))
    }

    /// Every request sent so far, oldest first.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// The body of every request sent so far (nil for none), in the order of ``requests``.
    public var bodies: [[UInt8]?] { state.withLock { $0.bodies } }

    /// Answers `request` with the next scripted answer.
    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPBody) {
        try await send(request, body: nil, timeout: timeout)
    }

    /// Records `request` and its body, and answers with the next scripted answer.
    public func send(
        _ request: HTTPRequest, body: [UInt8]?, timeout: Duration
    ) async throws -> (HTTPResponse, HTTPBody) {
        let answer = state.withLock { state -> Answer? in
            state.requests.append(request)
            state.bodies.append(body)
            return state.answers.isEmpty ? nil : state.answers.removeFirst()
        }
        switch answer {
        case .response(let status, let headers, let body):
            return (HTTPResponse(status: .init(code: status), headerFields: headers), HTTPBody(bytes: body))
        case .failure(let error):
            throw error
        case nil:
            throw ScriptExhausted()
        }
    }

    /// Thrown when a request arrives after the script ran out.
    public struct ScriptExhausted: Error, Sendable {}
}
