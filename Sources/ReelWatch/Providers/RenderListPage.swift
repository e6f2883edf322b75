/// One page of an account's list of renders.
public struct RenderListPage: Sendable, Hashable {
    /// The usable entries on this page, in the order the provider sent them.
    public var renders: [ListedRender]
    /// The token of the next page; nil on the last one.
    public var nextToken: String?
    /// How many entries the page held that were left out (no ID, or one no job reference may carry).
    public var skipped: Int

    /// Creates a page.
    public init(renders: [ListedRender], nextToken: String?, skipped: Int = 0) {
        self.renders = renders
        self.nextToken = nextToken
        self.skipped = skipped
    }
}
