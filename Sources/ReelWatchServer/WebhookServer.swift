import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP side of `reelwatch serve`: the routes, and the Hummingbird application that serves them.
///
/// - `GET /healthz`: 200 once the server is running.
/// - `OPTIONS /webhooks/heygen`: 200 (HeyGen checks a new endpoint this way).
/// - `POST /webhooks/heygen`: a delivery for ``WebhookReceiver``; the status of its ``WebhookOutcome``, 413 for a
///   body over ``maximumBodySize``.
public enum WebhookServer {
    /// The largest delivery body read: 1 MiB.
    public static let maximumBodySize = 1 << 20
    /// The path HeyGen's deliveries are posted to.
    public static let webhookPath = "/webhooks/heygen"

    /// A router with the routes, handing deliveries to `receiver`.
    public static func router(receiver: WebhookReceiver) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.on(RouterPath(webhookPath), method: .options) { _, _ in HTTPResponse.Status.ok }
        router.post(RouterPath(webhookPath)) { request, _ -> Response in
            let outcome: WebhookOutcome
            do {
                let body = try await request.body.collect(upTo: maximumBodySize)
                outcome = await receiver.receive(body: Array(buffer: body), headers: request.headers)
            } catch is NIOTooManyBytesError {
                outcome = .tooLarge
            }
            return Response(
                status: outcome.status, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.rawValue + "\n")))
        }
        return router
    }

    /// The application serving `receiver`'s routes on `host`:`port` (0 for an ephemeral one) — a `Service` to run
    /// in a `ServiceGroup` beside the engine; on graceful shutdown it stops accepting and finishes the requests in
    /// flight. `onRunning` is told the port it listens on.
    public static func application(
        receiver: WebhookReceiver,
        host: String,
        port: Int,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        Application(
            router: router(receiver: receiver),
            configuration: .init(address: .hostname(host, port: port), serverName: "reelwatch"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
