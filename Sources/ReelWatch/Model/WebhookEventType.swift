/// One kind of event a webhook endpoint can subscribe to, as HeyGen lists them (`GET /v3/webhooks/event-types`).
public struct WebhookEventType: Sendable, Hashable {
    /// The event type, such as `avatar_video.success`.
    public var name: String
    /// What HeyGen says it means, if anything.
    public var description: String?

    /// Creates an event type.
    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}
