import ReelWatch

/// What became of one webhook event at one destination: the faults it met, how many requests were sent, and the
/// last answer.
public struct WebhookDeliveryRecord: Sendable, Hashable {
    /// The event's ID.
    public var eventID: String
    /// The event's type.
    public var eventType: String
    /// The job the event is about.
    public var ref: JobRef
    /// The destination's URL.
    public var url: String
    /// The faults the delivery met.
    public var plan: WebhookFaults.Plan
    /// POST requests sent for it, every attempt of every copy.
    public var attempts = 0
    /// The HTTP status of the last answer; nil when nothing was sent or no answer came.
    public var lastStatus: Int?
    /// Why the last attempt got no answer, when it got none.
    public var lastError: String?
    /// Whether any request was answered 2xx.
    public var delivered = false

    /// Creates a record of a delivery not yet sent.
    public init(eventID: String, eventType: String, ref: JobRef, url: String, plan: WebhookFaults.Plan) {
        self.eventID = eventID
        self.eventType = eventType
        self.ref = ref
        self.url = url
        self.plan = plan
    }
}
