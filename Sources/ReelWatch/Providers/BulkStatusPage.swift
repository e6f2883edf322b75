/// One page of HeyGen's bulk status answer.
public struct BulkStatusPage: Sendable, Hashable {
    /// The entries on this page.
    public var entries: [BulkStatus]
    /// The token for the next page, when there is one.
    public var nextToken: String?

    /// Creates a page.
    public init(entries: [BulkStatus], nextToken: String?) {
        self.entries = entries
        self.nextToken = nextToken
    }
}
