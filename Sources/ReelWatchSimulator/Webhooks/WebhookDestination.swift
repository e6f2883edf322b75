/// Where the simulator delivers webhook events: a URL and the secret deliveries are signed with.
public struct WebhookDestination: Sendable, Hashable {
    /// The URL events are POSTed to.
    public var url: String
    /// The secret `Heygen-Signature` is made with; nil sends deliveries unsigned, as a render's `callback_url`
    /// gets them.
    public var secret: String?
    /// The event types sent here; nil for every type.
    public var eventTypes: Set<String>?

    /// Creates a destination.
    public init(url: String, secret: String? = nil, eventTypes: Set<String>? = nil) {
        self.url = url
        self.secret = secret
        self.eventTypes = eventTypes
    }

    /// Whether an event of `type` is sent here.
    public func accepts(_ type: String) -> Bool { eventTypes?.contains(type) ?? true }
}

extension WebhookDestination: CustomStringConvertible, CustomDebugStringConvertible {
    /// The URL and whether deliveries are signed; never the secret.
    public var description: String { "\(url) (\(secret == nil ? "unsigned" : "signed"))" }
    /// As ``description``.
    public var debugDescription: String { description }
}
