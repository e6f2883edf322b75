import ReelWatch

/// How the engine (``Tracker``) polls and downloads.
public struct TrackerOptions: Sendable, Hashable {
    /// The poll bounds and render-time models (the timeout is not used: tracked jobs are followed to the end).
    public var watch: WatchOptions
    /// Which files of a finished render to download.
    public var selection: AssetSelection
    /// How downloaded files are named.
    public var naming: FileNaming
    /// Whether jobs of an API with bulk status (HeyGen v3 videos and translations) are polled through it.
    public var useBulkStatus: Bool
    /// How many due jobs are taken from the store at a time.
    public var batchSize: Int
    /// How many single status requests run at once.
    public var pollConcurrency: Int
    /// How many files download at once.
    public var downloadConcurrency: Int
    /// With a value, finished jobs whose links expire within it get a fresh status call for new links; nil
    /// leaves expired links alone (downloads fetch fresh ones when they need them).
    public var refreshLinksAhead: Duration?
    /// How long a job taken for a poll is kept from other workers before it counts as due again if no answer was
    /// recorded. A poll that takes longer (its retries waiting on `Retry-After`) is not asked twice by its own
    /// worker, which renews the lease when it looks again; a worker that starts (the daemon, a `track check` pass)
    /// reclaims at once every lease a worker that died left (``JobStore/reclaimLeases()``).
    public var lease: Duration = .seconds(60)
    /// The longest the daemon goes without looking at the store (jobs added by other processes are seen within it).
    public var idleInterval: Duration = .seconds(1)
    /// How often the daemon looks for links about to expire.
    public var linkRefreshInterval: Duration = .seconds(10 * 60)
    /// How long the daemon waits before trying a job's failed downloads again.
    public var downloadRetryDelay: Duration = .seconds(60)
    /// How long the daemon waits before trying again after a passing failure of this machine's
    /// (``ReelWatchError/transient``: the descriptor table full, the store busy) — its store failing, or a file
    /// failing to open: a backoff from 1 s to 10 s, so that it goes on within seconds of the machine recovering.
    public var transientRetry = RetryPolicy(maxRetries: .max, baseDelay: .seconds(1), maxDelay: .seconds(10))

    /// Creates options; by default the poll bounds of `wait`, the default files, bulk status on.
    public init(
        watch: WatchOptions = WatchOptions(),
        selection: AssetSelection = .defaults,
        naming: FileNaming = FileNaming(),
        useBulkStatus: Bool = true,
        batchSize: Int = 1000,
        pollConcurrency: Int = 16,
        downloadConcurrency: Int = 4,
        refreshLinksAhead: Duration? = nil
    ) {
        self.watch = watch
        self.selection = selection
        self.naming = naming
        self.useBulkStatus = useBulkStatus
        self.batchSize = batchSize
        self.pollConcurrency = pollConcurrency
        self.downloadConcurrency = downloadConcurrency
        self.refreshLinksAhead = refreshLinksAhead
    }
}
