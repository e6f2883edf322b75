/// A webhook endpoint registered with the simulator: where it delivers, which events, and the secret it signs with.
public struct SimulatedWebhookEndpoint: Sendable, Hashable {
    /// The endpoint's ID, `ep_…`.
    public var id: String
    /// Where deliveries go.
    public var url: String
    /// The event types delivered; nil for all.
    public var events: [String]?
    /// The current signing secret, `whsec_…`.
    public var secret: String
    /// When it was created, in Unix seconds.
    public var createdAt: Double

    /// Creates an endpoint.
    public init(id: String, url: String, events: [String]?, secret: String, createdAt: Double) {
        self.id = id
        self.url = url
        self.events = events
        self.secret = secret
        self.createdAt = createdAt
    }

    /// Whether the endpoint receives events of `type`.
    public func receives(_ type: String) -> Bool { events?.contains(type) ?? true }
}
