import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReelWatch

extension SimulatorServer {
    /// The largest request body the endpoint API reads.
    static let largestEndpointBody = 64 << 10

    /// HeyGen's webhook endpoint API under `/heygen/v3/webhooks`: endpoints (register, list, update, delete,
    /// rotate-secret) and event types.
    static func addWebhookEndpointRoutes(to router: Router<BasicRequestContext>, simulator: Simulator) {
        let key = HTTPField.Name("x-api-key")!
        let base = "/heygen/v3/webhooks/endpoints"
        router.post(RouterPath(base)) { request, _ in
            let body = try await request.body.collect(upTo: largestEndpointBody)
            return endpointResponse(
                await simulator.registerWebhookEndpoint(body: Array(buffer: body), apiKey: request.headers[key]))
        }
        router.get(RouterPath(base)) { request, _ in
            let query = request.uri.queryParameters
            return endpointResponse(
                await simulator.listWebhookEndpoints(
                    limit: query.get("limit"), token: query.get("token"), apiKey: request.headers[key]))
        }
        router.patch(RouterPath(base + "/:id")) { request, context in
            let id = try context.parameters.require("id")
            let body = try await request.body.collect(upTo: largestEndpointBody)
            return endpointResponse(
                await simulator.updateWebhookEndpoint(
                    id: id.removingPercentEncoding ?? id, body: Array(buffer: body), apiKey: request.headers[key]))
        }
        router.delete(RouterPath(base + "/:id")) { request, context in
            let id = try context.parameters.require("id")
            return endpointResponse(
                await simulator.deleteWebhookEndpoint(
                    id: id.removingPercentEncoding ?? id, apiKey: request.headers[key]))
        }
        router.post(RouterPath(base + "/:id/rotate-secret")) { request, context in
            let id = try context.parameters.require("id")
            return endpointResponse(
                await simulator.rotateWebhookSecret(id: id.removingPercentEncoding ?? id, apiKey: request.headers[key]))
        }
        router.get("/heygen/v3/webhooks/event-types") { request, _ in
            endpointResponse(await simulator.webhookEventTypes(apiKey: request.headers[key]))
        }
    }

    private static func endpointResponse(_ answer: SimulatorResponse) -> Response {
        Response(
            status: .init(code: answer.status), headers: [.contentType: answer.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
