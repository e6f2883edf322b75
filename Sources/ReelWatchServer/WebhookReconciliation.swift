/// What one reconciliation did.
public struct WebhookReconciliation: Sendable, Hashable {
    /// How many pages of events were read.
    public var pages = 0
    /// How many listed events were new enough to look at.
    public var seen = 0
    /// How many entries of the list were unusable.
    public var skipped = 0
    /// What the receiver did with the events looked at.
    public var outcomes: [WebhookOutcome: Int] = [:]
    /// Whether the reconciliation stopped at its page limit before reaching its mark.
    public var truncated = false
    /// Whether the reconciliation stopped at a `next_token` the list had sent before (a cycle) before reaching its
    /// mark.
    public var repeatedToken = false

    /// How many events had not been seen before and made a job due or tracked one: deliveries that were missed.
    public var recovered: Int { (outcomes[.madeDue] ?? 0) + (outcomes[.tracked] ?? 0) }

    /// Creates an empty summary.
    public init() {}
}
