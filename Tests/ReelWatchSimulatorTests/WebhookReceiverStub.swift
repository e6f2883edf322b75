import HTTPTypes
import Hummingbird
import NIOCore
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchWebhooks

/// A webhook receiver on 127.0.0.1 for tests: records every POST and answers with scripted statuses (then 200),
/// or 401 for a signature it can check and finds wrong.
actor WebhookReceiverStub {
    /// One request received.
    struct Received: Sendable {
        var path: String
        var headers: HTTPFields
        var body: [UInt8]

        /// The value of the header `name`.
        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
        /// `Heygen-Event-Id`.
        var eventID: String? { header("Heygen-Event-Id") }
    }

    private(set) var received: [Received] = []
    private var statuses: [Int]
    private let signature: WebhookSignature?

    init(statuses: [Int], secret: String?) {
        self.statuses = statuses
        self.signature = secret.flatMap { try? WebhookSignature(secrets: [$0]) }
    }

    /// Records `request` and decides its answer.
    func take(_ request: Received) -> Int {
        received.append(request)
        if !statuses.isEmpty { return statuses.removeFirst() }
        if let signature, request.path == "/signed" {
            guard let given = request.header("Heygen-Signature"), signature.isValid(given, for: request.body) else {
                return 401
            }
        }
        return 200
    }

    /// The event IDs received, in order.
    var eventIDs: [String] { received.compactMap(\.eventID) }

    /// Runs `body` with a receiver on an ephemeral port: `POST /signed` checks signatures made with `secret`
    /// (when given), `POST /plain` does not; `statuses` are answered first, whatever the path.
    static func withRunning<Result: Sendable>(
        statuses: [Int] = [],
        secret: String? = nil,
        _ body: @Sendable (WebhookReceiverStub, Int) async throws -> Result
    ) async throws -> Result {
        let stub = WebhookReceiverStub(statuses: statuses, secret: secret)
        let router = Router()
        for path in ["/signed", "/plain"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 1 << 20)
                let status = await stub.take(
                    Received(path: path, headers: request.headers, body: Array(buffer: bytes)))
                return Response(status: .init(code: status))
            }
        }
        return try await LoopbackServer.withRunning(
            router: router, serverName: "receiver", logger: SimulatorHarness.quiet
        ) { port in
            try await body(stub, port)
        }
    }
}
