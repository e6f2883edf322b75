import ReelWatch

extension Simulator {
    /// The path of HeyGen's list of webhook events.
    static let webhookEventsPath = "/v3/webhooks/events"
    /// The page size of the list of events when the request gives none.
    static let defaultEventListLimit = 20
    /// The most events one page holds.
    static let maximumEventListLimit = 100

    /// Answers HeyGen's list of webhook events, newest first: `{"data": [{"event_id", "event_type", "event_data",
    /// "created_at"}], "has_more", "next_token"}` — every event made, whatever became of its deliveries (dropped
    /// ones too: it is the record a receiver catches up from). `limit` (default 20, clamped to 1...100) a page from
    /// `token` on, only events of `eventType` when given.
    func webhookEventList(
        eventType: String?,
        limit: String?,
        token: String?,
        apiKey: String?,
        userAgent: String?,
        fileBase: String
    ) -> SimulatorResponse {
        let authorized = apiKey == self.apiKey
        keep(SimulatorRequest(ref: nil, path: Self.webhookEventsPath, userAgent: userAgent, authorized: authorized))
        counts.eventListRequests += 1
        guard authorized else { return StatusBodies.heygenUnauthorized }
        if let failure = takeGlobalTransientFault() { return failure }
        var size = Self.defaultEventListLimit
        if let limit {
            guard let asked = Int(limit) else { return Self.invalidParameter("limit must be a whole number") }
            size = min(max(asked, 1), Self.maximumEventListLimit)
        }
        makeEndedEvents(fileBase: fileBase)
        // A token is the sequence number the next page starts below: events made later never shift it.
        var end = webhookEvents.count
        if let token {
            guard token.hasPrefix(Self.eventTokenPrefix),
                let below = Int(token.dropFirst(Self.eventTokenPrefix.count)),
                (0...webhookEvents.count).contains(below)
            else { return Self.invalidParameter("token is not one this list gave") }
            end = below
        }
        let wanted = eventType.flatMap { $0.isEmpty ? nil : $0 }
        var page: [SimulatedWebhookEvent] = []
        var index = end - 1
        while index >= 0, page.count < size {
            let event = webhookEvents[index]
            if wanted == nil || event.type == wanted { page.append(event) }
            index -= 1
        }
        let more = index >= 0 && webhookEvents[...index].contains { wanted == nil || $0.type == wanted }
        return .json([
            "data": .array(page.map(\.listEntry)), "has_more": .bool(more),
            "next_token": more ? .string(Self.eventTokenPrefix + String(index + 1)) : nil,
        ])
    }

    private static let eventTokenPrefix = "evt-before-"
}
