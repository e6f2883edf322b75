import HTTPTypes
import Logging

extension StatusClient {
    /// The most pages of webhook endpoints read by ``webhookEndpoints(maximumPages:)``.
    public static let maximumWebhookEndpointPages = 50

    /// Registers a webhook endpoint with HeyGen (`POST /v3/webhooks/endpoints`) and returns it with its secret.
    ///
    /// HeyGen first checks `url` with an `OPTIONS` request and refuses the registration when it does not answer
    /// 2xx. The request is not sent again once it may have reached HeyGen: a timeout or a lost connection throws
    /// `outcome_unknown` (the endpoint may exist).
    ///
    /// - Parameter events: the event types to deliver; nil for all.
    public func registerWebhookEndpoint(
        url: String, events: [String]?
    ) async throws(ReelWatchError) -> WebhookEndpoint {
        try WebhookEndpoint.validateURL(url)
        if let events { try WebhookEndpoint.validateEvents(events) }
        let request = HeyGenWebhookEndpoints.request(
            .post, HeyGenWebhookEndpoints.path, baseURL: configuration.baseURL(for: .heygen))
        return try await webhookCall(
            request, body: HeyGenWebhookEndpoints.body(url: url, events: events), purpose: "webhook registration"
        ) { json, status throws(ReelWatchError) in
            let data = try HeyGenWebhookEndpoints.data(json, what: "a webhook endpoint", httpStatus: status)
            return try HeyGenWebhookEndpoints.endpoint(data, requireSecret: true, httpStatus: status)
        }
    }

    /// Every webhook endpoint of the account (`GET /v3/webhooks/endpoints`, page after page), without secrets.
    ///
    /// Entries HeyGen sends without a usable ID are left out. Throws `invalid_response` when the list runs past
    /// `maximumPages` pages or repeats a page token.
    public func webhookEndpoints(
        maximumPages: Int = maximumWebhookEndpointPages
    ) async throws(ReelWatchError) -> [WebhookEndpoint] {
        var endpoints: [WebhookEndpoint] = []
        var token: String?
        var seen: Set<String> = []
        for _ in 0..<max(1, maximumPages) {
            var path = HeyGenWebhookEndpoints.path + "?limit=\(Self.listPageLimit)"
            if let token { path += "&token=" + BaseURL.encode(token) }
            let request = HeyGenWebhookEndpoints.request(.get, path, baseURL: configuration.baseURL(for: .heygen))
            let page = try await webhookCall(request, purpose: "list of webhook endpoints") {
                json, status throws(ReelWatchError) in
                try HeyGenWebhookEndpoints.page(json, httpStatus: status)
            }
            if page.skipped > 0 {
                logger.warning(
                    "skipped webhook endpoints without a usable ID", metadata: ["count": "\(page.skipped)"])
            }
            endpoints += page.endpoints
            guard let next = page.nextToken else { return endpoints }
            guard seen.insert(next).inserted else {
                throw HeyGenWebhookEndpoints.invalid(
                    "sent the same next_token twice in its list of webhook endpoints", httpStatus: 200)
            }
            token = next
        }
        throw HeyGenWebhookEndpoints.invalid(
            "has more than \(maximumPages) pages of webhook endpoints; reelwatch reads no further", httpStatus: 200)
    }

    /// Changes where the endpoint `id` delivers or which events (`PATCH /v3/webhooks/endpoints/{id}`); nil leaves
    /// a field as it is. Returns the endpoint as HeyGen now has it, without its secret.
    public func updateWebhookEndpoint(
        id: String, url: String? = nil, events: [String]? = nil
    ) async throws(ReelWatchError) -> WebhookEndpoint {
        try WebhookEndpoint.validateID(id)
        if let url { try WebhookEndpoint.validateURL(url) }
        if let events { try WebhookEndpoint.validateEvents(events) }
        let request = HeyGenWebhookEndpoints.request(
            .patch, HeyGenWebhookEndpoints.path(of: id), baseURL: configuration.baseURL(for: .heygen))
        return try await webhookCall(
            request, body: HeyGenWebhookEndpoints.body(url: url, events: events), purpose: "webhook update", id: id
        ) { json, status throws(ReelWatchError) in
            let data = try HeyGenWebhookEndpoints.data(json, what: "a webhook endpoint", httpStatus: status)
            var endpoint = try HeyGenWebhookEndpoints.endpoint(data, requireSecret: false, httpStatus: status)
            endpoint.secret = nil
            return endpoint
        }
    }

    /// Deletes the endpoint `id` (`DELETE /v3/webhooks/endpoints/{id}`); an ID HeyGen does not know throws
    /// `not_found`.
    public func removeWebhookEndpoint(id: String) async throws(ReelWatchError) {
        try WebhookEndpoint.validateID(id)
        let request = HeyGenWebhookEndpoints.request(
            .delete, HeyGenWebhookEndpoints.path(of: id), baseURL: configuration.baseURL(for: .heygen))
        try await webhookCall(request, purpose: "webhook removal", id: id) { json, status throws(ReelWatchError) in
            if let error = ProviderErrorBody(errorValue: json["error"]), json["data"] == nil {
                throw HeyGenWebhookEndpoints.invalid(
                    "answered an error to the webhook removal (HTTP \(status)): "
                        + ReelWatchError.printable(error.summary, limit: 160), httpStatus: status)
            }
            if let data = json["data"], case .string(let said)? = data.first("endpoint_id", "id"), said != id {
                throw HeyGenWebhookEndpoints.invalid(
                    "answered the removal of \(id) about another endpoint", httpStatus: status)
            }
        }
    }

    /// Gives the endpoint `id` a new secret (`POST /v3/webhooks/endpoints/{id}/rotate-secret`) and returns it;
    /// the old one stops being used by HeyGen. Not sent again once it may have reached HeyGen (`outcome_unknown`).
    public func rotateWebhookSecret(id: String) async throws(ReelWatchError) -> WebhookSecret {
        try WebhookEndpoint.validateID(id)
        let request = HeyGenWebhookEndpoints.request(
            .post, HeyGenWebhookEndpoints.path(of: id, suffix: "/rotate-secret"),
            baseURL: configuration.baseURL(for: .heygen))
        return try await webhookCall(request, body: Array("{}".utf8), purpose: "webhook secret rotation", id: id) {
            json, status throws(ReelWatchError) in
            let data = try HeyGenWebhookEndpoints.data(json, what: "a new webhook secret", httpStatus: status)
            if case .string(let said)? = data.first("endpoint_id", "id"), said != id {
                throw HeyGenWebhookEndpoints.invalid(
                    "answered the rotation of \(id)'s secret about another endpoint", httpStatus: status)
            }
            return try HeyGenWebhookEndpoints.secret(data, httpStatus: status)
        }
    }

    /// The event types an endpoint can subscribe to (`GET /v3/webhooks/event-types`).
    public func webhookEventTypes() async throws(ReelWatchError) -> [WebhookEventType] {
        let request = HeyGenWebhookEndpoints.request(
            .get, HeyGenWebhookEndpoints.eventTypesPath, baseURL: configuration.baseURL(for: .heygen))
        return try await webhookCall(request, purpose: "list of webhook event types") {
            json, status throws(ReelWatchError) in
            try HeyGenWebhookEndpoints.eventTypes(json, httpStatus: status)
        }
    }

    /// Sends one request of the endpoint API through the one request and retry path; errors are made about the
    /// API (not a job), a 404 about the endpoint `id`, and every webhook secret is masked from them.
    private func webhookCall<T: Sendable>(
        _ request: HTTPRequest,
        body: [UInt8]? = nil,
        purpose: String,
        id: String? = nil,
        decode: (JSONValue, Int) throws(ReelWatchError) -> T
    ) async throws(ReelWatchError) -> T {
        var logger = self.logger
        logger[metadataKey: "webhook.request"] = "\(purpose)"
        // The request path reports its errors against a job; these have none, so the errors are made about the API.
        let about = JobRef(api: .v3, id: "")
        do {
            return try await send(
                request, body: body, purpose: purpose, adapter: ProviderAPI.v3.adapter, ref: about, logger: logger,
                decode: decode)
        } catch {
            var error = error
            error.ref = nil
            error.provider = .heygen
            if error.code == .jobNotFound {
                let status = error.httpStatus.map(String.init) ?? "?"
                if let id {
                    error.message =
                        "\(ProviderName.heygen.displayName) has no webhook endpoint "
                        + "'\(ReelWatchError.printable(id, limit: 60))' (HTTP \(status))"
                } else {
                    error.code = .invalidResponse
                    error.message =
                        "\(ProviderName.heygen.displayName) has no \(purpose) at "
                        + "\(ReelWatchError.printable(request.path?.split(separator: "?").first ?? "?")) (HTTP \(status))"
                }
                error.hint = nil
            }
            throw error.redacting(configuration.redaction)
        }
    }
}
