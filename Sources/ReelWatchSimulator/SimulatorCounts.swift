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

    /// Creates zero counts.
    public init() {}

    /// Status requests of both kinds.
    public var statusCalls: Int { statusRequests + bulkRequests }

    /// Job statuses looked at: one per single request, one per ID in a bulk request.
    public var polls: Int { statusRequests + bulkIDs }
}
