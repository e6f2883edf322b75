/// How many requests of each kind a ``Simulator`` received.
public struct SimulatorCounts: Sendable, Hashable {
    /// Single status requests (one job each).
    public var statusRequests = 0
    /// Bulk status requests (`GET /v3/videos/statuses`).
    public var bulkRequests = 0
    /// Job IDs asked about in bulk status requests, all together.
    public var bulkIDs = 0
    /// Account list requests (`GET /v3/videos`, `GET /v3/video-translations`).
    public var listRequests = 0
    /// File requests.
    public var fileRequests = 0
    /// Requests for the list of webhook events (`GET /v3/webhooks/events`).
    public var eventListRequests = 0
    /// Webhook events made (one per HeyGen job that ended, whether or not anything was sent).
    public var webhookEvents = 0
    /// Webhook deliveries handled: one per event and destination, whatever became of it.
    public var webhookDeliveries = 0
    /// Deliveries answered 2xx at least once.
    public var webhooksDelivered = 0
    /// Deliveries a drop fault kept from being sent at all.
    public var webhooksDropped = 0
    /// Deliveries sent twice (the same event ID and body) by a duplicate fault.
    public var webhooksDuplicated = 0
    /// Deliveries sent with a corrupted signature.
    public var webhooksWithBadSignature = 0
    /// Deliveries held back and sent after later ones.
    public var webhooksReordered = 0
    /// Deliveries sent that never got a 2xx answer, retries included.
    public var webhooksFailed = 0
    /// Webhook POST requests sent: every attempt of every copy.
    public var webhookRequests = 0

    /// Creates zero counts.
    public init() {}

    /// Status requests of both kinds.
    public var statusCalls: Int { statusRequests + bulkRequests }

    /// Job statuses looked at: one per single request, one per ID in a bulk request.
    public var polls: Int { statusRequests + bulkIDs }
}
