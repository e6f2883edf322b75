import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP side of `reelwatch serve`: the routes, and the Hummingbird application that serves them.
///
/// - `GET /healthz`: 200 once the server is running.
/// - `OPTIONS /webhooks/heygen`: 200 (HeyGen checks a new endpoint this way).
/// - `POST /webhooks/heygen`: a delivery for ``WebhookReceiver``; the status of its ``WebhookOutcome``, 413 for a
///   body over ``maximumBodySize``.
/// - `POST /webhooks/heygen/callback/TOKEN`: a per-job callback; 404 for a `TOKEN` not the store's, answered before
///   the body is read.
public enum WebhookServer {
    /// The largest delivery body read: 1 MiB.
    public static let maximumBodySize = 1 << 20
    /// The path HeyGen's deliveries are posted to.
    public static let webhookPath = "/webhooks/heygen"
    /// The path of per-job callbacks, followed by the store's token.
    public static let callbackPath = "/webhooks/heygen/callback"
    /// How many connections the kernel may queue for the server to accept (capped by the system's `somaxconn`): a
    /// burst beyond the queue leaves connections that their clients believe made and the server never sees.
    static let backlog = 4096

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
            // The path's token first: a wrong one is answered at once, before a byte of the body is read.
            let token = context.parameters.get("token") ?? ""
            let now = receiver.wallClockNow()
            if let refusal = await receiver.callbackRefusal(token: token, at: now) { return response(refusal) }
            return await answer(request) { body in
                await receiver.receiveCheckedCallback(body: body, headers: request.headers, at: now)
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
        return response(outcome)
    }

    /// The answer for `outcome`: its status, and its word on a line.
    private static func response(_ outcome: WebhookOutcome) -> Response {
        Response(
            status: outcome.status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.rawValue + "\n")))
    }

    /// The application serving `receiver`'s routes on `host`:`port` (0 for an ephemeral one) — a `Service` to run
    /// in a `ServiceGroup` beside the engine; on graceful shutdown it stops accepting and finishes the requests in
    /// flight. Connections are held to `limits`. `onRunning` is told the port it listens on.
    public static func application(
        receiver: WebhookReceiver,
        host: String,
        port: Int,
        limits: ConnectionLimits = ConnectionLimits(),
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let count = ConnectionCapHandler.Count(maximum: limits.maximumConnections)
        let refusals = RefusalLog()
        let refused: @Sendable (ConnectionCapHandler.Count) -> Void = { count in
            refusals.record(
                "connection refused: \(count.maximum) connections open already (the cap)",
                error: "connection cap reached", at: receiver.wallClockNow(), logger: logger)
        }
        // Hummingbird's idle timeout closes a connection that has sent no complete request head for that long
        // since it connected or since its previous answer, and one whose body stalls that long.
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionCapHandler(count: count, onRefusal: refused)],
            idleTimeout: TimeAmount(limits.idleTimeout))
        return Application(
            router: router(receiver: receiver),
            server: .http1(configuration: http),
            configuration: .init(address: .hostname(host, port: port), serverName: "reelwatch", backlog: backlog),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
