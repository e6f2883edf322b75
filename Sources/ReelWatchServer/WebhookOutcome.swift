import HTTPTypes

/// What the receiver did with one webhook delivery; the HTTP status it answers, and the word it answers with.
public enum WebhookOutcome: String, Sendable, Hashable, CaseIterable {
    /// A new event for a tracked job still polling: the job was made due and the engine woken.
    case madeDue = "made_due"
    /// A new event for a job not tracked, now tracked (`--track-webhooks`): the engine was woken.
    case tracked
    /// A new event recorded, with nothing to do: a job not tracked, or one that has ended.
    case ignored
    /// A new event recorded, of a type that names no job reelwatch follows (an avatar, a live avatar, a personalized
    /// video, a type HeyGen added since): nothing to do, and counted apart (``WebhookReceiver/notFollowedCount``).
    case notFollowed = "not_followed"
    /// An event ID recorded before: nothing was done.
    case duplicate
    /// A missing or wrong signature, or a timestamp too far off: nothing was recorded.
    case unauthenticated
    /// A signed body that is not an event reelwatch can read, or a malformed event ID: nothing was recorded.
    case malformed
    /// A body over ``WebhookServer/maximumBodySize``: nothing was read further.
    case tooLarge = "too_large"
    /// The store failed: the provider is asked to deliver again later.
    case storeFailed = "store_failed"
    /// No webhook secret is configured yet, so no delivery can be checked: the provider is asked to deliver again
    /// later.
    case notConfigured = "not_configured"
    /// A per-job callback to a path whose token is not the store's: nothing was read further.
    case unknownCallback = "not_found"

    /// The HTTP status answered: 2xx only for what needs no redelivery.
    public var status: HTTPResponse.Status {
        switch self {
        case .madeDue, .tracked, .ignored, .notFollowed, .duplicate: .ok
        case .unauthenticated: .unauthorized
        case .malformed: .badRequest
        case .tooLarge: .contentTooLarge
        case .storeFailed, .notConfigured: .serviceUnavailable
        case .unknownCallback: .notFound
        }
    }
}
