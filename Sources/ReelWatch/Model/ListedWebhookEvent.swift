import Foundation

/// One event of HeyGen's list of webhook events (`GET /v3/webhooks/events`): what the provider sent, or set out
/// to send, to the account's endpoints — the record a receiver reconciles against to catch deliveries it missed.
public struct ListedWebhookEvent: Sendable, Hashable {
    /// The event's ID, the one its deliveries carry in `Heygen-Event-Id`.
    public var id: String
    /// The event's type, such as `avatar_video.success`.
    public var type: String
    /// The event's data, as a delivery's `event_data`.
    public var data: JSONValue
    /// When the provider created the event; nil when absent or out of range.
    public var createdAt: Date?

    /// Creates an event.
    public init(id: String, type: String, data: JSONValue, createdAt: Date?) {
        self.id = id
        self.type = type
        self.data = data
        self.createdAt = createdAt
    }

    /// The event as a delivery body would carry it: `{"event_type", "event_data"}`.
    public var deliveryBody: JSONValue {
        ["event_type": .string(type), "event_data": data]
    }
}

/// One page of HeyGen's list of webhook events, newest first.
public struct WebhookEventPage: Sendable, Hashable {
    /// The usable events on this page, in the order the provider sent them.
    public var events: [ListedWebhookEvent]
    /// The token of the next page; nil on the last one.
    public var nextToken: String?
    /// How many entries were left out (no ID or type, or ones no delivery could carry).
    public var skipped: Int

    /// Creates a page.
    public init(events: [ListedWebhookEvent], nextToken: String?, skipped: Int = 0) {
        self.events = events
        self.nextToken = nextToken
        self.skipped = skipped
    }
}
