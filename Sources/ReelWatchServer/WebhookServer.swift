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
    /// The path of per-job callbacks, followed by the store's token.
    public static let callbackPath = "/webhooks/heygen/callback"

    /// A router with the routes, handing deliveries to `receiver`.
    public static func router(receiver: WebhookReceiver) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.on(RouterPath(webhookPath), method: .options) { _, _ in HTTPResponse.Status.ok }
        router.post(RouterPath(webhookPath)) { request, _ -> Response in
            await answer(request) { body in await receiver.receive(body: body, headers: request.headers) }
        }
        router.on(RouterPath(callbackPath + "/:token"), method: .options) { _, _ in HTTPResponse.Status.ok }
        router.post(RouterPath(callbackPath + "/:token")) { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            return await answer(request) { body in
                await receiver.receiveCallback(token: token, body: body, headers: request.headers)
            }
        }
        return router
    }

    /// Reads the body (up to ``maximumBodySize``), hands it to `receive` and answers with the outcome.
    private static func answer(
        _ request: Request, _ receive: ([UInt8]) async -> WebhookOutcome
    ) async -> Response {
        let outcome: WebhookOutcome
        do {
            let body = try await request.body.collect(upTo: maximumBodySize)
            outcome = await receive(Array(buffer: body))
        } catch is NIOTooManyBytesError {
            outcome = .tooLarge
        } catch {
            outcome = .malformed
        }
        return Response(
            status: outcome.status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.rawValue + "\n")))
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
