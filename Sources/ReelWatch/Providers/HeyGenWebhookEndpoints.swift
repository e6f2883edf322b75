import HTTPTypes

/// HeyGen's webhook endpoint API (`/v3/webhooks/endpoints`, `/v3/webhooks/event-types`): the requests, and the
/// answers read leniently (`id` for `endpoint_id`, fields missing or unknown) but strictly on what identifies an
/// endpoint and on its secret.
enum HeyGenWebhookEndpoints {
    /// The path of the endpoint collection.
    static let path = "/v3/webhooks/endpoints"
    /// The path of the event types.
    static let eventTypesPath = "/v3/webhooks/event-types"

    /// A request with `method` for `path` below `baseURL`.
    static func request(_ method: HTTPRequest.Method, _ path: String, baseURL: BaseURL) -> HTTPRequest {
        var request = baseURL.request(path: path)
        request.method = method
        return request
    }

    /// The path of the endpoint `id` (validated by the caller), with `suffix` after it.
    static func path(of id: String, suffix: String = "") -> String {
        path + "/" + BaseURL.encode(id) + suffix
    }

    /// `{"url": URL, "events": [...]}`, each only when given (no events: all of them).
    static func body(url: String?, events: [String]?) -> [UInt8] {
        var object: [String: JSONValue] = [:]
        if let url { object["url"] = .string(url) }
        if let events { object["events"] = .array(events.map { .string($0) }) }
        return JSONValue.object(object).serialized()
    }

    /// The `data` object of an answer; throws what an error answer says, or that there is none.
    static func data(_ body: JSONValue, what: String, httpStatus: Int) throws(ReelWatchError) -> JSONValue {
        if let data = body["data"], data.objectValue != nil || data.arrayValue != nil { return data }
        if let error = ProviderErrorBody(errorValue: body["error"]) {
            throw invalid(
                "answered an error instead of \(what) (HTTP \(httpStatus)): "
                    + ReelWatchError.printable(error.summary, limit: 160), httpStatus: httpStatus)
        }
        throw invalid("answered something that is not \(what) (HTTP \(httpStatus)): no 'data'", httpStatus: httpStatus)
    }

    /// Reads one endpoint; `requireSecret` for the answer to a registration.
    static func endpoint(
        _ value: JSONValue, requireSecret: Bool, httpStatus: Int
    ) throws(ReelWatchError) -> WebhookEndpoint {
        guard value.objectValue != nil else {
            throw invalid("sent a webhook endpoint that is not an object", httpStatus: httpStatus)
        }
        let id = try self.id(value, httpStatus: httpStatus)
        var secret: WebhookSecret?
        if requireSecret || value["secret"].map({ !$0.isNull }) == true {
            secret = try self.secret(value, httpStatus: httpStatus)
        }
        var events: [String]?
        if let list = value["events"]?.arrayValue {
            events = list.compactMap { item -> String? in
                guard case .string(let event) = item, WebhookEndpoint.problem(withEvent: event) == nil else {
                    return nil
                }
                return event
            }
        }
        return WebhookEndpoint(
            id: id,
            url: text(value["url"], limit: WebhookEndpoint.maximumURLLength),
            status: text(value["status"], limit: 40),
            events: events,
            createdAt: value["created_at"]?.date,
            secret: secret
        )
    }

    /// The endpoint ID of `value` (`endpoint_id`, else `id`): a string fit for a path.
    static func id(_ value: JSONValue, httpStatus: Int) throws(ReelWatchError) -> String {
        guard case .string(let id)? = value.first("endpoint_id", "id") else {
            throw invalid("sent a webhook endpoint without an endpoint_id string", httpStatus: httpStatus)
        }
        if let problem = WebhookEndpoint.problem(withID: id) {
            throw invalid("sent an endpoint_id that is not usable: \(problem)", httpStatus: httpStatus)
        }
        return id
    }

    /// The `secret` of `value`: a string ``WebhookSecret`` accepts. The error never quotes it.
    static func secret(_ value: JSONValue, httpStatus: Int) throws(ReelWatchError) -> WebhookSecret {
        guard case .string(let text)? = value["secret"] else {
            throw invalid("sent no secret string with the endpoint", httpStatus: httpStatus)
        }
        guard let secret = WebhookSecret(text) else {
            throw invalid(
                "sent a secret that is not \(WebhookSecret.minimumLength)–\(WebhookSecret.maximumLength) "
                    + "visible ASCII characters without commas or quotes", httpStatus: httpStatus)
        }
        return secret
    }

    /// One page of the list: its endpoints, the entries skipped as unreadable, and the next page's token.
    static func page(
        _ body: JSONValue, httpStatus: Int
    ) throws(ReelWatchError) -> (endpoints: [WebhookEndpoint], skipped: Int, nextToken: String?) {
        guard let items = try data(body, what: "a list of webhook endpoints", httpStatus: httpStatus).arrayValue
        else {
            throw invalid("sent a list of webhook endpoints whose 'data' is not a list", httpStatus: httpStatus)
        }
        var endpoints: [WebhookEndpoint] = []
        var skipped = 0
        for item in items {
            guard let endpoint = try? endpoint(item, requireSecret: false, httpStatus: httpStatus) else {
                skipped += 1
                continue
            }
            var listed = endpoint
            listed.secret = nil
            endpoints.append(listed)
        }
        let more = body["has_more"]?.bool ?? (body["next_token"]?.text != nil)
        var token: String?
        if more, case .string(let next)? = body["next_token"], !next.isEmpty, next.utf8.count <= 1024 {
            token = next
        }
        if more, token == nil {
            throw invalid("said the list of webhook endpoints has more, without a next_token", httpStatus: httpStatus)
        }
        return (endpoints, skipped, token)
    }

    /// The event types of `body`; entries without an `event_type` string are skipped.
    static func eventTypes(_ body: JSONValue, httpStatus: Int) throws(ReelWatchError) -> [WebhookEventType] {
        guard let items = try data(body, what: "a list of webhook event types", httpStatus: httpStatus).arrayValue
        else {
            throw invalid("sent a list of event types whose 'data' is not a list", httpStatus: httpStatus)
        }
        return items.compactMap { item in
            guard case .string(let name)? = item.first("event_type", "name"),
                WebhookEndpoint.problem(withEvent: name) == nil
            else { return nil }
            return WebhookEventType(name: name, description: text(item["description"], limit: 300))
        }
    }

    /// A string value fit to show, at most `limit` characters with control characters escaped; nil otherwise.
    private static func text(_ value: JSONValue?, limit: Int) -> String? {
        guard case .string(let text)? = value, !text.isEmpty else { return nil }
        return ReelWatchError.printable(text, limit: limit)
    }

    /// An `invalid_response` error about HeyGen's answer.
    static func invalid(_ what: String, httpStatus: Int) -> ReelWatchError {
        ReelWatchError(
            code: .invalidResponse, message: "\(ProviderName.heygen.displayName) \(what)", provider: .heygen,
            httpStatus: httpStatus)
    }
}
