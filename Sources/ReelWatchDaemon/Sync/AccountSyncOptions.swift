import ReelWatch

/// What an ``AccountSync`` looks for and how it tracks what it finds.
public struct AccountSyncOptions: Sendable, Hashable {
    /// How far back to look: renders created longer ago than this are left alone.
    public var since: Duration
    /// Only the renders in this folder; lists without folders (translations) are then not read.
    public var folderID: String?
    /// Where tracked jobs' files go; with one, renders that already succeeded are tracked too (to be downloaded).
    public var downloadDirectory: String?
    /// The label given to the jobs added.
    public var label: String?
    /// The APIs whose lists are read, in order; those without a list (``ProviderAPI/listAdapter``) are passed over.
    public var apis: [ProviderAPI]
    /// How many entries each page is asked for.
    public var pageLimit: Int = StatusClient.listPageLimit
    /// The most pages read from one list in one sync: a provider that pages on without end is stopped there.
    public var maximumPages: Int = 1000

    /// Creates options; by default the last 24 hours of every API that lists renders.
    public init(
        since: Duration = .seconds(24 * 3600),
        folderID: String? = nil,
        downloadDirectory: String? = nil,
        label: String? = nil,
        apis: [ProviderAPI] = ProviderAPI.listable
    ) {
        self.since = since
        self.folderID = folderID
        self.downloadDirectory = downloadDirectory
        self.label = label
        self.apis = apis
    }
}
