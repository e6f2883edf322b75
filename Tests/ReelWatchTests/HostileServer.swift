import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ReelWatchSimulator

/// A provider (or anything between) that answers whatever a test tells it to: any status, headers and body,
/// a body that trickles or never ends. Binds 127.0.0.1 on an ephemeral port for the length of a test.
struct HostileServer: Sendable {
    /// One answer.
    struct Answer: Sendable {
        var status: Int = 200
        var headers: [(String, String)] = []
        /// The body, sent at once unless `trickle` is set.
        var body: [UInt8] = []
        /// Sends the body one byte at a time with this pause between bytes.
        var trickle: Duration?
        /// Sends chunks of this many bytes forever, as fast as the client reads.
        var endless: Int?

        static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
        }
    }

    /// A request the server received.
    struct Received: Sendable {
        var path: String
        var apiKey: String?
        var range: String?
    }

    /// Answers each request from its path (and query).
    let answer: @Sendable (String) -> Answer

    private let log = ReceivedLog()

    init(_ answer: @escaping @Sendable (String) -> Answer) { self.answer = answer }

    /// Every request received so far.
    func received() -> [Received] { log.all() }

    /// Serves while `body` runs, handing it the base URL (`http://127.0.0.1:PORT`).
    func run<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let router = Router()
        let answer = self.answer
        let log = self.log
        router.get("**") { request, _ -> Response in
            let path = request.uri.description
            log.append(
                Received(
                    path: path, apiKey: request.headers[HTTPField.Name("x-api-key")!], range: request.headers[.range]))
            return Self.response(answer(path))
        }
        let quiet = Logger(label: "hostile", factory: { _ in SwiftLogNoOpLogHandler() })
        return try await LoopbackServer.withRunning(router: router, serverName: "hostile", logger: quiet) { port in
            try await body("http://127.0.0.1:\(port)")
        }
    }

    private static func response(_ answer: Answer) -> Response {
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { headers.append(HTTPField(name: name, value: value)) }
        }
        if let size = answer.endless {
            let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: size)
            return Response(
                status: .init(code: answer.status), headers: headers,
                body: ResponseBody { writer in
                    // Ends only when the client hangs up and the write throws.
                    while true { try await writer.write(chunk) }
                })
        }
        if let pause = answer.trickle {
            let bytes = answer.body
            return Response(
                status: .init(code: answer.status), headers: headers,
                body: ResponseBody { writer in
                    for byte in bytes {
                        try await writer.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: pause)
                    }
                    try await writer.finish(nil)
                })
        }
        return Response(
            status: .init(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// The requests a ``HostileServer`` received, shared with its handlers.
private final class ReceivedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [HostileServer.Received] = []

    func append(_ entry: HostileServer.Received) { lock.withLock { entries.append(entry) } }
    func all() -> [HostileServer.Received] { lock.withLock { entries } }
}
