import HTTPTypes

/// The seam through which reelwatch talks HTTP: one request in, a response head and a streamed body out.
///
/// ``AsyncHTTPClientTransport`` is the default; tests can script responses with their own conformance.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response head once it arrives; the body streams afterwards.
    ///
    /// - Parameter timeout: the longest the whole exchange, body included, may take.
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPBody)
}

/// A transport failure that says what happened in words fit for a one-line message.
public struct HTTPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// No complete answer within the timeout.
        case timedOut
        /// The connection could not be made or was lost.
        case connection
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
