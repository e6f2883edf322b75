import ReelWatch

/// What one run of the engine (``Tracker/run(_:downloadProgress:report:)``) covers.
public enum TrackerScope: Sendable, Hashable {
    /// One pass, fit for cron (`track check`): with `polls`, every job due when the pass starts is polled once;
    /// with `downloads`, the pending files of finished jobs (those that finish during the pass included) are
    /// fetched; then the run returns.
    case pass(polls: Bool, downloads: Bool)
    /// Fresh links for finished jobs whose links expire within ``TrackerOptions/refreshLinksAhead``, once.
    case refreshLinks
    /// Everything, until the task is cancelled (`run`, `serve`): due jobs polled as they come due, finished jobs
    /// downloaded, failed downloads tried again later, expiring links refreshed.
    case daemon
    /// The given jobs until each has ended: succeeded with its files on disk (or failed to fetch them), failed,
    /// timed out, waiting for a person (unless the plan keeps waiting), or stopped by an error polling cannot fix
    /// (`wait`, `download`, ``Watcher``).
    case follow(FollowPlan)
}

/// The jobs a `follow` run covers and how far it goes with them.
public struct FollowPlan: Sendable, Hashable {
    /// The jobs, in the order given (duplicates are followed once).
    public var refs: [JobRef]
    /// How long each job is followed from the start of the run; its last poll is at the deadline.
    public var timeout: Duration
    /// Where each job's files go once it succeeds; nil to only follow.
    public var downloadDirectory: String?
    /// Whether each job is polled only once: a job still rendering then ends as timed out (`download`).
    public var pollOnce: Bool
    /// Whether a job that waits for a person (`needs_input`) is followed on, polled every
    /// ``WatchOptions/maxDelay`` until it goes on (`wait --keep-waiting`), rather than ended with
    /// ``JobProgress/Outcome/needsInput``.
    public var keepWaitingForInput: Bool

    /// Creates a plan.
    public init(
        refs: [JobRef],
        timeout: Duration,
        downloadDirectory: String? = nil,
        pollOnce: Bool = false,
        keepWaitingForInput: Bool = false
    ) {
        self.refs = refs
        self.timeout = timeout
        self.downloadDirectory = downloadDirectory
        self.pollOnce = pollOnce
        self.keepWaitingForInput = keepWaitingForInput
    }
}

/// What a run of the engine did.
public struct TrackerRunSummary: Sendable, Hashable {
    /// Jobs whose status was asked for and answered (or failed), link refreshes not counted.
    public var polled: Int = 0
    /// Files that landed.
    public var saved: Int = 0
    /// Finished jobs whose links were refreshed.
    public var refreshed: Int = 0

    /// Creates a summary.
    public init(polled: Int = 0, saved: Int = 0, refreshed: Int = 0) {
        self.polled = polled
        self.saved = saved
        self.refreshed = refreshed
    }
}
