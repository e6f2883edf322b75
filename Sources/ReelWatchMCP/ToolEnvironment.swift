import Logging
import ReelWatch
import ReelWatchStore

/// What the MCP tools run against: the CLI's status client, downloader, poll bounds and job stores, so that a tool
/// does exactly what the command of the same name does.
public struct ToolEnvironment: Sendable {
    /// Fetches statuses; its clock drives the engine, its wall clock dates what the store records.
    public var client: StatusClient
    /// Fetches files (`wait` with `download_dir`, `download`).
    public var downloader: Downloader
    /// The poll bounds and render-time models; its timeout is `wait`'s when the call gives none.
    public var watch: WatchOptions
    /// Which files to save when a call does not say (`assets`).
    public var selection: AssetSelection
    /// How saved files are named when a call does not say (`name_from_title`).
    public var naming: FileNaming
    /// How many files download at once.
    public var downloadConcurrency: Int
    /// The store `wait` and `download` run the engine over (in memory, mirrored into the job store).
    public var followStore: @Sendable () -> any JobStore
    /// The durable job store `track`, `untrack` and `list_tracked` work on; its error when it cannot be used.
    public var trackedStore: @Sendable () throws(ReelWatchError) -> any JobStore
    /// Makes a directory given by a call absolute (the server's working directory means nothing to an agent, and a
    /// tracked job's directory must mean the same to a daemon started elsewhere). No default: every caller says how.
    public var resolveDirectory: @Sendable (String) -> String
    /// Where the server logs (never stdout: it carries the protocol).
    public var logger: Logger

    /// Creates an environment.
    public init(
        client: StatusClient,
        downloader: Downloader,
        watch: WatchOptions = WatchOptions(),
        selection: AssetSelection = .defaults,
        naming: FileNaming = FileNaming(),
        downloadConcurrency: Int = 4,
        followStore: @escaping @Sendable () -> any JobStore,
        trackedStore: @escaping @Sendable () throws(ReelWatchError) -> any JobStore,
        resolveDirectory: @escaping @Sendable (String) -> String,
        logger: Logger
    ) {
        self.client = client
        self.downloader = downloader
        self.watch = watch
        self.selection = selection
        self.naming = naming
        self.downloadConcurrency = downloadConcurrency
        self.followStore = followStore
        self.trackedStore = trackedStore
        self.resolveDirectory = resolveDirectory
        self.logger = logger
    }
}
