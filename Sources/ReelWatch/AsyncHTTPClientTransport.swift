import AsyncHTTPClient
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// The default ``HTTPTransport``, on AsyncHTTPClient.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    /// Uses `client`; the caller owns it and shuts it down.
    public init(client: HTTPClient = .shared) {
        self.client = client
    }

    /// Sends `request` through AsyncHTTPClient.
    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> (HTTPResponse, HTTPBody) {
        var outgoing = HTTPClientRequest(url: Self.url(of: request))
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: .nanoseconds(nanoseconds))
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        {
            throw HTTPTransportError(.timedOut, "no answer within \(timeout.shortDescription)")
        }
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) {
                fields.append(HTTPField(name: name, value: header.value))
            }
        }
        let head = HTTPResponse(status: .init(code: Int(response.status.code)), headerFields: fields)
        return (head, HTTPBody(response.body))
    }

    /// The absolute URL string of `request`.
    static func url(of request: HTTPRequest) -> String {
        "\(request.scheme ?? "https")://\(request.authority ?? "")\(request.path ?? "/")"
    }
}
