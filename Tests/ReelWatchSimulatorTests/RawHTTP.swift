import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReelWatch

/// A plain HTTP GET against the simulator, seeing exactly what it sends: status, headers and body bytes.
struct RawHTTP {
    /// One answer.
    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        /// The body read as JSON.
        var json: JSONValue {
            get throws { try JSONValue.parse(body) }
        }
    }

    /// GETs `url` with the simulator's key (unless `apiKey` is nil) and `headers`.
    static func get(
        _ url: String, apiKey: String? = "sim-key", headers: [(String, String)] = []
    ) async throws
        -> Answer
    {
        var request = HTTPClientRequest(url: url)
        if let apiKey { request.headers.add(name: "x-api-key", value: apiKey) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
    }
}
