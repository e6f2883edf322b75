import Logging

extension StatusClient {
    /// One page of HeyGen's list of webhook events (`GET /v3/webhooks/events`), newest first, through the same
    /// request and retry path as a status call: transient failures are retried, errors come back with secrets
    /// removed.
    ///
    /// - Parameters:
    ///   - token: the `next_token` of the page before; nil for the first page.
    ///   - limit: how many events to ask for, clamped to `1...listPageLimit`.
    ///   - eventType: only events of this type.
    public func webhookEventPage(
        token: String? = nil, limit: Int = listPageLimit, eventType: String? = nil
    ) async throws(ReelWatchError) -> WebhookEventPage {
        let request = HeyGenWebhookEvents.request(
            token: token, limit: min(max(limit, 1), Self.listPageLimit), eventType: eventType,
            baseURL: configuration.baseURL(for: .heygen))
        var logger = self.logger
        logger[metadataKey: "list.kind"] = "webhook-events"
        // The request path reports its errors against a job; a list has none, so the errors are made about it.
        let about = JobRef(api: .v3, id: "")
        do {
            return try await send(request, adapter: ProviderAPI.v3.adapter, ref: about, logger: logger) {
                json, status throws(ReelWatchError) in
                try HeyGenWebhookEvents.page(json, httpStatus: status)
            }
        } catch {
            var error = error
            error.ref = nil
            if error.code == .jobNotFound {
                error.message =
                    "HeyGen has no list of webhook events at \(HeyGenWebhookEvents.path) "
                    + "(HTTP \(error.httpStatus.map(String.init) ?? "?"))"
                error.code = .invalidResponse
            }
            throw error.redacting(configuration.redaction)
        }
    }
}
