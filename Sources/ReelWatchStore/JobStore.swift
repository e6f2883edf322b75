import Foundation
import ReelWatch

/// Where reelwatch remembers the jobs it tracks, durably, until their files are safely on disk.
///
/// Every method is one transaction: a crash at any instant leaves the store as it was before or after it. A call
/// runs to its end even when the calling task is cancelled, so that an interrupted command still records what it
/// finished.
public protocol JobStore: Sendable {
    /// Tracks a job, or updates the one already tracked under its ref (never a duplicate): the label and the
    /// download directory replace the old ones when given, the metadata is merged. A new job is due at once.
    func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob

    /// Tracks (or updates) many jobs in one transaction, as ``track(_:at:)`` does each; returns the refs that were
    /// new (the others were tracked already, and updated).
    func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef>

    /// How many jobs are in each phase (phases without jobs are absent).
    func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int]

    /// Forgets a job and its history (found under its ref or one it was renamed from); false when it was not
    /// tracked.
    func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool

    /// The job tracked under `ref` (or renamed from it: ``rename(_:to:)``), with its files.
    func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob?

    /// Moves the job tracked under `old` to `new` (its provider now answers for it there), keeping its history,
    /// files and schedule; `old` stays an alias, so ``job(_:)``, ``history(of:)`` and ``untrack(_:)`` given `old`
    /// find the job under `new`. When a job is tracked under `new` already, the one under `old` is dropped and `old`
    /// names that one. False when nothing is tracked under `old`.
    @discardableResult
    func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool

    /// Tracked jobs, optionally only those in `phases`: all of them oldest first, or with a `limit`, the `limit`
    /// that have gone longest without an update (so that a page of jobs whose downloads keep failing does not
    /// hold back the others: each attempt updates its job).
    func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob]

    /// Up to `limit` jobs still polling whose next poll is due at `now`, most overdue first.
    func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob]

    /// Takes up to `limit` jobs still polling whose next poll is due at `now` (of `api` only, when given), most
    /// overdue first, and leases them until `leaseUntil`: until the lease ends, an update is recorded for them or
    /// they are released, no other call returns them as due and `nextDue()` does not count them. A lease that ends
    /// with its work still in flight is renewed by taking the job again (it keeps the time it was due); a worker
    /// that dies holding leases loses them when they end, or at once when the next worker reclaims them
    /// (``reclaimLeases()``).
    ///
    /// The jobs come back with their `nextPollAt` as it was before the lease (the lease is their next poll time
    /// meanwhile, which is what ``job(_:)`` shows).
    func takeDue(
        of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
    ) async throws(ReelWatchError)
        -> [TrackedJob]

    /// Gives back leased jobs that were not polled: each one still polling is due again at `dueAt`.
    func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError)

    /// Ends every lease: each leased job still polling is due again when it was due before it was taken. Only the
    /// store's one worker calls it, as it starts: whatever is leased then was taken by a worker that died (killed,
    /// its machine lost) with its polls in flight, and the new worker owns those jobs. Returns how many it ended.
    @discardableResult
    func reclaimLeases() async throws(ReelWatchError) -> Int

    /// Up to `limit` jobs that succeeded and whose earliest link expires before `date`, soonest first.
    func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob]

    /// When the next job still polling is due; nil when none is.
    func nextDue() async throws(ReelWatchError) -> Date?

    /// Records the outcome of polls, all in one transaction: the snapshot (a state change adds to the
    /// history; a terminal state moves the job on), the polls made, the backoff count when given, and the next poll
    /// time (which ends a lease).
    func record(_ updates: [PollUpdate]) async throws(ReelWatchError)

    /// Records the files planned for a job and returns them as recorded: a file already recorded under the same
    /// name keeps its state and path; a new one whose path another job's file holds is given the next free
    /// numbered path (`NAME-2.mp4`), so no two jobs ever share a file.
    @discardableResult
    func plan(_ files: [TrackedFile], for ref: JobRef, at now: Date) async throws(ReelWatchError) -> [TrackedFile]

    /// Records how far one file has come (the job counts as updated); once every planned file of a downloading
    /// job is done, the job is.
    func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError)

    /// Every state change of a job, oldest first.
    func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition]

    /// Records a webhook event under its ID; true when the ID was new, false when it was recorded before (a
    /// redelivery: nothing is written).
    func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool

    /// How many webhook events are recorded.
    func deliveredEventCount() async throws(ReelWatchError) -> Int

    /// Makes a tracked job due at `now`: its next poll is then, if it is still polling (a job that has ended is
    /// left as it is). Returns the job as it is afterwards; nil when it is not tracked.
    func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob?

    /// Makes a tracked job due at `now` as ``makeDue(_:at:)`` does, and a job that succeeded polling again from
    /// `now` (an event announced files it may not have yet: its next answer plans them; the files it has stay, and
    /// are not fetched again). A job that failed is left as it is. Returns the job as it is afterwards; nil when it
    /// is not tracked.
    func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob?

    /// The store's capability for unsigned per-job webhook callbacks (`/webhooks/heygen/callback/TOKEN`): made
    /// once, at random (``CallbackToken``), then the same for the life of the store.
    func callbackToken() async throws(ReelWatchError) -> String
}

extension JobStore {
    /// Every tracked job, oldest first, optionally only those in `phases`.
    public func jobs(in phases: Set<TrackedJob.Phase>?) async throws(ReelWatchError) -> [TrackedJob] {
        try await jobs(in: phases, limit: nil)
    }

    /// Takes up to `limit` jobs of any API due at `now`, leased until `leaseUntil`
    /// (``takeDue(of:at:limit:leaseUntil:)``).
    public func takeDue(at now: Date, limit: Int, leaseUntil: Date) async throws(ReelWatchError) -> [TrackedJob] {
        try await takeDue(of: nil, at: now, limit: limit, leaseUntil: leaseUntil)
    }
}

/// What `track add` says about a job.
public struct TrackRequest: Sendable, Hashable {
    /// The job.
    public var ref: JobRef
    /// A name for it; nil keeps the one it has.
    public var label: String?
    /// Metadata merged into what it has.
    public var meta: [String: String]
    /// Where its files go once it succeeds; nil keeps the one it has.
    public var downloadDirectory: String?

    /// Creates a request.
    public init(ref: JobRef, label: String? = nil, meta: [String: String] = [:], downloadDirectory: String? = nil) {
        self.ref = ref
        self.label = label
        self.meta = meta
        self.downloadDirectory = downloadDirectory
    }
}

/// The outcome of polling one job.
public struct PollUpdate: Sendable, Hashable {
    /// The job.
    public var ref: JobRef
    /// What the provider answered; nil when the poll failed.
    public var snapshot: JobSnapshot?
    /// Why the poll failed, when it did.
    public var error: String?
    /// Status calls made for it in this pass.
    public var polls: Int
    /// The job's backoff count after this poll; nil keeps the recorded one.
    public var backoffPolls: Int?
    /// When it is next due.
    public var nextPollAt: Date
    /// When the answer came.
    public var at: Date
    /// Whether the provider says it does not know the job: it is no longer polled.
    public var gone: Bool
    /// Whether ``snapshot`` is the one the store already holds (a bulk answer that changed nothing): only the
    /// counters and times are written, and the snapshot is not encoded again.
    public var snapshotUnchanged: Bool

    /// Creates an update.
    public init(
        ref: JobRef,
        snapshot: JobSnapshot?,
        error: String? = nil,
        polls: Int = 1,
        backoffPolls: Int? = nil,
        nextPollAt: Date,
        at: Date,
        gone: Bool = false,
        snapshotUnchanged: Bool = false
    ) {
        self.ref = ref
        self.snapshot = snapshot
        self.error = error
        self.polls = polls
        self.backoffPolls = backoffPolls
        self.nextPollAt = nextPollAt
        self.at = at
        self.gone = gone
        self.snapshotUnchanged = snapshotUnchanged && snapshot != nil
    }
}
