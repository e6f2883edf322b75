/// Where one watched job stands: its latest snapshot, how the watch ended for it (if it did), and progress.
public struct JobProgress: Sendable, Hashable {
    /// How the watch of a job ended, or that it goes on.
    public enum Outcome: Sendable, Hashable {
        /// Still rendering; more updates follow.
        case running
        /// The render succeeded.
        case succeeded
        /// The render failed; the snapshot's `failure` says why.
        case failed
        /// The deadline came first; the job may still finish.
        case timedOut
        /// The job waits for a person (`needs_input`) and the watch was not asked to keep waiting
        /// (``FollowPlan/keepWaitingForInput``); the snapshot's `agentMessage` says what it asks.
        case needsInput
        /// An error that polling again cannot fix (unknown job, rejected key, answers that keep being invalid).
        case error(ReelWatchError)
    }

    /// The job.
    public var ref: JobRef
    /// The latest snapshot; nil until the first successful poll.
    public var snapshot: JobSnapshot?
    /// How the watch ended, or `.running`.
    public var outcome: Outcome
    /// Status requests made for this job so far.
    public var polls: Int
    /// Time since the watch started.
    public var elapsed: Duration
    /// The time the render is expected to take still: from the rate its own `progress` grew at while watched,
    /// else the median time left for renders as old as this one (the API's render-time model); nil while it waits
    /// for a person.
    public var expectedRemaining: Duration?
    /// The delay until the next poll, while running.
    public var nextPoll: Duration?
    /// The transient error of the last poll, when it failed and polling goes on.
    public var lastError: ReelWatchError?

    /// Creates an update.
    public init(
        ref: JobRef,
        snapshot: JobSnapshot?,
        outcome: Outcome,
        polls: Int,
        elapsed: Duration,
        expectedRemaining: Duration? = nil,
        nextPoll: Duration? = nil,
        lastError: ReelWatchError? = nil
    ) {
        self.ref = ref
        self.snapshot = snapshot
        self.outcome = outcome
        self.polls = polls
        self.elapsed = elapsed
        self.expectedRemaining = expectedRemaining
        self.nextPoll = nextPoll
        self.lastError = lastError
    }

    /// Whether this is the job's last update.
    public var isFinal: Bool { outcome != .running }
}
