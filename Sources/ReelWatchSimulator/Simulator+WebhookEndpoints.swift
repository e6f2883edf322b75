import Foundation
import ReelWatch

extension Simulator {
    /// The webhook endpoints registered so far, oldest first, each with its current secret (what deliveries are
    /// signed with).
    public func webhookEndpoints() -> [SimulatedWebhookEndpoint] { webhookRegistry.endpoints }

    /// Replaces the check of a URL before it is registered (by default an `OPTIONS` request that must answer 2xx
    /// within a second).
    public func setWebhookURLCheck(_ check: @escaping @Sendable (String) async -> Bool) {
        webhookRegistry.check = check
    }

    /// `POST /v3/webhooks/endpoints` with `{"url", "events"}`: checks the URL with `OPTIONS`, then answers the new
    /// endpoint with its secret.
    func registerWebhookEndpoint(body: [UInt8], apiKey: String?) async -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        let fields: (url: String?, events: [String]??)
        switch Self.endpointFields(body) {
        case .success(let read): fields = read
        case .failure(let refusal): return refusal.response
        }
        guard let url = fields.url else { return Self.endpointInvalid("url is required") }
        guard await webhookRegistry.check(url) else {
            return Self.endpointInvalid("the endpoint did not answer OPTIONS with 2xx")
        }
        let endpoint = SimulatedWebhookEndpoint(
            id: WebhookEndpointRegistry.random("ep_", hexDigits: 24), url: url, events: fields.events ?? nil,
            secret: WebhookEndpointRegistry.random("whsec_", hexDigits: 32),
            createdAt: epoch.addingTimeInterval(now.seconds).timeIntervalSince1970.rounded(.down))
        webhookRegistry.endpoints.append(endpoint)
        var data = Self.json(endpoint)
        data["secret"] = .string(endpoint.secret)
        return .json(["data": .object(data)])
    }

    /// `GET /v3/webhooks/endpoints?limit=&token=`: a page of endpoints, without secrets.
    func listWebhookEndpoints(limit: String?, token: String?, apiKey: String?) -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        var size = Self.defaultListLimit
        if let limit {
            guard let asked = Int(limit), asked > 0 else { return Self.endpointInvalid("limit must be positive") }
            size = min(asked, Self.maximumListLimit)
        }
        var start = 0
        if let token {
            guard token.hasPrefix("ep-page-"), let offset = Int(token.dropFirst(8)), offset >= 0 else {
                return Self.endpointInvalid("token is not one this list gave")
            }
            start = offset
        }
        let all = webhookRegistry.endpoints
        let page = all.dropFirst(start).prefix(size)
        let end = start + page.count
        let more = end < all.count
        return .json([
            "data": .array(page.map { .object(Self.json($0)) }), "has_more": .bool(more),
            "next_token": more ? .string("ep-page-\(end)") : nil,
        ])
    }

    /// `PATCH /v3/webhooks/endpoints/{id}` with `{"url"?, "events"?}`: a new URL is checked as on registration.
    func updateWebhookEndpoint(id: String, body: [UInt8], apiKey: String?) async -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        guard webhookRegistry.index(of: id) != nil else { return Self.endpointNotFound() }
        let fields: (url: String?, events: [String]??)
        switch Self.endpointFields(body) {
        case .success(let read): fields = read
        case .failure(let refusal): return refusal.response
        }
        if let url = fields.url, await !webhookRegistry.check(url) {
            return Self.endpointInvalid("the endpoint did not answer OPTIONS with 2xx")
        }
        guard let index = webhookRegistry.index(of: id) else { return Self.endpointNotFound() }
        if let url = fields.url { webhookRegistry.endpoints[index].url = url }
        if let events = fields.events { webhookRegistry.endpoints[index].events = events }
        return .json(["data": .object(Self.json(webhookRegistry.endpoints[index]))])
    }

    /// `DELETE /v3/webhooks/endpoints/{id}`.
    func deleteWebhookEndpoint(id: String, apiKey: String?) -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        guard let index = webhookRegistry.index(of: id) else { return Self.endpointNotFound() }
        webhookRegistry.endpoints.remove(at: index)
        return .json(["data": ["endpoint_id": .string(id), "deleted": true]])
    }

    /// `POST /v3/webhooks/endpoints/{id}/rotate-secret`: a new secret, answered once.
    func rotateWebhookSecret(id: String, apiKey: String?) -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        guard let index = webhookRegistry.index(of: id) else { return Self.endpointNotFound() }
        let secret = WebhookEndpointRegistry.random("whsec_", hexDigits: 32)
        webhookRegistry.endpoints[index].secret = secret
        return .json(["data": ["endpoint_id": .string(id), "secret": .string(secret)]])
    }

    /// `GET /v3/webhooks/event-types`.
    func webhookEventTypes(apiKey: String?) -> SimulatorResponse {
        guard apiKey == self.apiKey else { return StatusBodies.heygenUnauthorized }
        return .json([
            "data": .array(
                WebhookEndpointRegistry.eventTypes.map { ["event_type": .string($0.0), "description": .string($0.1)] })
        ])
    }

    /// An endpoint as the API answers it, without its secret.
    private static func json(_ endpoint: SimulatedWebhookEndpoint) -> [String: JSONValue] {
        [
            "endpoint_id": .string(endpoint.id), "url": .string(endpoint.url), "status": "enabled",
            "events": endpoint.events.map { .array($0.map { .string($0) }) } ?? .null,
            "created_at": .number(endpoint.createdAt),
        ]
    }

    /// A request the simulator refuses, with its answer.
    private struct Refusal: Error {
        var response: SimulatorResponse
    }

    /// The `url` (an http(s) URL with a host) and `events` (a list of strings; `.some(nil)` for an explicit null)
    /// of a request body.
    private static func endpointFields(
        _ body: [UInt8]
    ) -> Result<(url: String?, events: [String]??), Refusal> {
        guard let document = try? JSONValue.parse(body), document.objectValue != nil else {
            return .failure(Refusal(response: endpointInvalid("the body is not a JSON object")))
        }
        var url: String?
        if let value = document["url"], !value.isNull {
            guard case .string(let text) = value, let components = URLComponents(string: text),
                BaseURL.origin(of: components) != nil
            else { return .failure(Refusal(response: endpointInvalid("url must be an http(s) URL"))) }
            url = text
        }
        var events: [String]??
        if let value = document["events"] {
            if value.isNull {
                events = .some(nil)
            } else {
                guard let list = value.arrayValue else {
                    return .failure(Refusal(response: endpointInvalid("events must be a list")))
                }
                var names: [String] = []
                for item in list {
                    guard case .string(let name) = item, !name.isEmpty else {
                        return .failure(Refusal(response: endpointInvalid("events must be strings")))
                    }
                    guard WebhookEndpointRegistry.eventTypes.contains(where: { $0.0 == name }) else {
                        return .failure(Refusal(response: endpointInvalid("unknown event type \(name)")))
                    }
                    names.append(name)
                }
                events = .some(names)
            }
        }
        return .success((url, events))
    }

    private static func endpointInvalid(_ message: String) -> SimulatorResponse {
        .json(["error": ["code": "invalid_parameter", "message": .string(message)]], status: 400)
    }

    private static func endpointNotFound() -> SimulatorResponse {
        .json(["error": ["code": "not_found", "message": "webhook endpoint not found"]], status: 404)
    }
}
