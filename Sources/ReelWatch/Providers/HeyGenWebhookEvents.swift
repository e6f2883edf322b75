import HTTPTypes

/// HeyGen's list of webhook events: `GET /v3/webhooks/events?limit=N[&token=T][&event_type=E]`, answered
/// `{"data": [{"event_id", "event_type", "event_data", "created_at"}], "has_more", "next_token"}`, newest first.
enum HeyGenWebhookEvents {
    /// The path of the list.
    static let path = "/v3/webhooks/events"
    /// The longest event ID or type kept; longer ones are skipped.
    static let maximumNameLength = 200

    /// The request for one page.
    static func request(token: String?, limit: Int, eventType: String?, baseURL: BaseURL) -> HTTPRequest {
        var query = path + "?limit=\(limit)"
        if let token { query += "&token=" + BaseURL.encode(token) }
        if let eventType { query += "&event_type=" + BaseURL.encode(eventType) }
        return baseURL.request(path: query)
    }

    /// Reads one page; an entry without a usable ID or type, or whose data is not an object, is skipped; dates
    /// out of range are absent.
    static func page(_ body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> WebhookEventPage {
        let items = body["data"]?.arrayValue
        if items == nil, let error = ProviderErrorBody(errorValue: body["error"]) {
            var failure = error.error(for: JobRef(api: .v3, id: "events"), httpStatus: httpStatus)
            failure.ref = nil
            if failure.code != .authenticationFailed {
                failure.code = .invalidResponse
                failure.message =
                    "HeyGen answered an error instead of the list of webhook events (HTTP \(httpStatus)): "
                    + ReelWatchError.printable(error.summary, limit: 160)
            }
            throw failure
        }
        guard let items else {
            throw ReelWatchError(
                code: .invalidResponse,
                message: "HeyGen answered something that is not a list of webhook events (HTTP \(httpStatus)): "
                    + "no 'data' list",
                provider: .heygen,
                httpStatus: httpStatus
            )
        }
        var events: [ListedWebhookEvent] = []
        var skipped = 0
        for item in items {
            guard let id = item.first("event_id", "id")?.text, usable(id),
                let type = item["event_type"]?.text, usable(type),
                let data = item["event_data"], data.objectValue != nil
            else {
                skipped += 1
                continue
            }
            events.append(ListedWebhookEvent(id: id, type: type, data: data, createdAt: item["created_at"]?.date))
        }
        let more = body["has_more"]?.bool ?? (body["next_token"]?.text != nil)
        return WebhookEventPage(events: events, nextToken: more ? body["next_token"]?.text : nil, skipped: skipped)
    }

    /// Whether `name` is fit to keep: not empty, not too long, no spaces or control characters.
    private static func usable(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumNameLength
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == " " }
    }
}
