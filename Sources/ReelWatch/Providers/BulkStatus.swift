/// One video's entry in HeyGen's bulk status answer (`GET /v3/videos/statuses`): its status, without links.
public struct BulkStatus: Sendable, Hashable {
    /// The video ID.
    public var id: String
    /// HeyGen's word, verbatim (`queued`, `processing`, `completed`, `failed`, `not_found`).
    public var providerStatus: ProviderStatus
    /// The normalized state; nil for `not_found` (an unknown or unowned ID).
    public var state: JobState?
    /// Why it failed, when it did and the entry says.
    public var failure: JobFailure?

    /// Creates an entry.
    public init(id: String, providerStatus: ProviderStatus, state: JobState?, failure: JobFailure? = nil) {
        self.id = id
        self.providerStatus = providerStatus
        self.state = state
        self.failure = failure
    }

    /// Whether HeyGen says it does not know the ID.
    public var isNotFound: Bool { state == nil }
}
