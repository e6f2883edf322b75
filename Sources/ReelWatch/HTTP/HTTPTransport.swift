import HTTPTypes

/// The seam through which reelwatch talks HTTP: one request in, a response head and a streamed body out.
///
/// ``AsyncHTTPClientTransport`` is the default; tests can script responses with their own conformance.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response head once it arrives; the body streams afterwards.
    ///
    /// - Parameter timeout: the longest the whole exchange, body included, may take.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPBody)

    /// Sends `request` with `body` (nil for none) and returns the response head once it arrives.
    ///
    /// The default sends a request without a body through ``send(_:timeout:)`` and refuses one with a body, so a
    /// transport that only reads keeps compiling; a transport used for `POST` or `PATCH` implements it.
    func send(_ request: HTTPRequest, body: [UInt8]?, timeout: Duration) async throws -> (HTTPResponse, HTTPBody)

    /// Sends `request` and streams the response body into `sink` when `sink` accepts the head, else returns up to
    /// 64 KiB of it. There is no overall timeout (a large file takes as long as it takes); the transport's idle
    /// read timeout ends a stalled transfer.
    func receive(_ request: HTTPRequest, into sink: some BodySink) async throws -> (HTTPResponse, [UInt8])
}

extension HTTPTransport {
    /// Sends a request without a body; refuses one with a body (the transport cannot send it).
    public func send(
        _ request: HTTPRequest, body: [UInt8]?, timeout: Duration
    ) async throws -> (HTTPResponse, HTTPBody) {
        guard body == nil else {
            throw HTTPTransportError(.refused, "this transport cannot send a request body")
        }
        return try await send(request, timeout: timeout)
    }
}

/// A transport failure that says what happened in words fit for a one-line message.
public struct HTTPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// No complete answer within the timeout.
        case timedOut
        /// The connection could not be made or was lost.
        case connection
        /// Nothing was sent: the connection was refused before the request could go out, so the request had no
        /// effect (a non-idempotent request may be retried).
        case refused
    }

    /// What went wrong.
    public var kind: Kind
    /// A short description, without secrets.
    public var description: String

    /// Creates a transport error.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
