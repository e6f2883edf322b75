import Foundation
import Logging
import ReelWatch
import ReelWatchStore

/// The engine: works the jobs of a ``JobStore`` — polls each one when its own schedule says so, without waiting
/// for any other (bulk status wherever the provider adapter offers it), records every answer, downloads the files
/// of finished jobs, and tells what it did as ``TrackerEvent``s.
///
/// It is the only place that decides when a job is polled. Every command runs it: `wait`, `download` and the
/// ``Watcher`` over an in-memory store (``TrackerScope/follow(_:)``), `track check` one pass, `run` as a daemon
/// (``TrackerService``). A job's schedule (its backoff count included) lives in the store, so a job is polled at
/// the same times whichever command follows it, and a restarted daemon goes on where it was.
public struct Tracker: Sendable {
    /// Where the jobs are.
    public let store: any JobStore
    /// Fetches statuses; its clock, jitter source and rate limiter drive the engine too.
    public let client: StatusClient
    /// Fetches files; nil to only follow jobs.
    public let downloader: Downloader?
    /// How to poll and download.
    public let options: TrackerOptions
    /// The date a run starts at (the client's ``StatusClient/wallClock`` unless given); from then on the engine counts
    /// time on the client's clock.
    public let wallClock: @Sendable () -> Date
    /// News from outside for a daemon run (``TrackerScope/daemon``): a signal makes it look at the store at once
    /// instead of at its next idle wake-up (an ``AccountSync`` that added jobs gives one). Other runs ignore it.
    public let news: WakeSignal?
    /// Which jobs webhooks cover (`serve`): those are polled every ``PushCoverage/safetyDelay``, and a bulk poll
    /// never holds one an event made due early. Nil: every job on its render-time schedule.
    public let push: PushCoverage?
    /// Each API's poll schedule, built once (its render-time window takes quantiles to compute).
    private let schedules: [ProviderAPI: PollSchedule]

    /// How long a tracked job may go without a deadline.
    static let horizon: Duration = .seconds(365 * 24 * 3600)

    /// Creates the engine.
    public init(
        store: any JobStore,
        client: StatusClient,
        downloader: Downloader?,
        options: TrackerOptions = TrackerOptions(),
        wallClock: (@Sendable () -> Date)? = nil,
        news: WakeSignal? = nil,
        push: PushCoverage? = nil
    ) {
        self.store = store
        self.client = client
        self.downloader = downloader
        self.options = options
        self.wallClock = wallClock ?? client.wallClock
        self.news = news
        self.push = push
        self.schedules = Dictionary(
            uniqueKeysWithValues: ProviderAPI.allCases.map { ($0, options.watch.schedule(for: $0)) })
    }

    /// The same engine with other options: everything else (store, clocks, news, push coverage) kept.
    public func with(options: TrackerOptions) -> Tracker {
        Tracker(
            store: store, client: client, downloader: downloader, options: options, wallClock: wallClock, news: news,
            push: push)
    }

    /// Runs the engine over `scope` and returns what it did.
    ///
    /// Cancelled, it starts nothing more and returns once every answer already received is recorded: jobs it did
    /// not hear back from stay due, as if they had not been asked, and downloads in flight keep their `.part` to
    /// resume from. A store that fails ends the run with its error.
    ///
    /// - Parameters:
    ///   - downloadProgress: told of every file's progress (progress bars).
    ///   - report: told of everything the engine does, in order.
    @discardableResult
    public func run(
        _ scope: TrackerScope,
        downloadProgress: @escaping @Sendable (DownloadProgress) -> Void = { _ in },
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> TrackerRunSummary {
        let run = TrackerRun(tracker: self, scope: scope, downloadProgress: downloadProgress, report: report)
        return try await run.run()
    }

    /// Polls every job that is due now once, records the answers, and returns how many jobs were polled.
    ///
    /// Like every run that works the store's jobs (``run(_:downloadProgress:report:)`` with `.daemon` or a polling
    /// `.pass`), it first takes back every lease (``JobStore/reclaimLeases()``): call it only as the store's one
    /// worker, holding its `StoreWorkerLock`, or it re-polls the jobs another worker has in flight.
    public func pollDue(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        try await run(.pass(polls: true, downloads: false), report: report).polled
    }

    /// Downloads the pending files of jobs that succeeded; returns how many files landed.
    public func downloadPending(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        try await run(.pass(polls: false, downloads: true), report: report).saved
    }

    /// Fetches fresh links for finished jobs whose links expire within ``TrackerOptions/refreshLinksAhead``
    /// (nothing when it is nil); returns how many jobs were refreshed.
    public func refreshLinks(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        try await run(.refreshLinks, report: report).refreshed
    }

    /// The poll schedule of `api`.
    func schedule(for api: ProviderAPI) -> PollSchedule {
        schedules[api] ?? options.watch.schedule(for: api)
    }

    /// When to poll a job next, from its API's schedule (``PollSchedule/step(_:unitRandom:)``, continuing from the
    /// backoff count recorded for the job), every ``PollSchedule/maxDelay`` while it waits for a person
    /// (`needs_input`), or the safety net's interval for a job webhooks cover — unless its poll
    /// failed: a covered job is then asked again on its own schedule (never later than the safety net), so that an
    /// event's poll lost to a passing error does not leave the file ten minutes behind.
    ///
    /// - Returns: the delay (nil when the deadline has come) and the job's backoff count after this poll.
    func nextDelay(
        for job: TrackedJob,
        snapshot: JobSnapshot?,
        retryAfter: Duration?,
        pollFailed: Bool = false,
        now: Date,
        untilDeadline: Duration
    ) -> (delay: Duration?, backoffPolls: Int) {
        let schedule = self.schedule(for: job.ref.api)
        if snapshot?.state == .needsInput {
            // Waiting for a person, not rendering: its render-time schedule says nothing about when that ends. Asked
            // every `maxDelay` (never before a Retry-After), with a last poll at the deadline.
            guard untilDeadline > .zero else { return (nil, job.backoffPolls) }
            return (min(max(schedule.maxDelay, retryAfter ?? .zero), untilDeadline), job.backoffPolls)
        }
        let situation = PollSchedule.Situation(
            jobAge: Self.age(of: job, snapshot: snapshot, at: now),
            untilDeadline: untilDeadline,
            backoffPolls: job.backoffPolls,
            stateUnknown: snapshot?.state == .unknown,
            retryAfter: retryAfter
        )
        if let push, push.covers(job.ref.api) {
            // The safety net: a fixed slow interval (events bring polls forward), never past the deadline, never
            // before the server's Retry-After; the job's backoff count stays where it is.
            guard untilDeadline > .zero else { return (nil, job.backoffPolls) }
            guard pollFailed else {
                return (min(max(push.safetyDelay, retryAfter ?? .zero), untilDeadline), job.backoffPolls)
            }
            let step = schedule.step(situation, unitRandom: client.random())
            return (step.delay.map { min($0, max(push.safetyDelay, retryAfter ?? .zero)) }, job.backoffPolls)
        }
        return schedule.step(situation, unitRandom: client.random())
    }

    /// The time `job` is expected to take still, as of `snapshot` at `now`: from the rate its own progress grew at
    /// since `pace` began when it has grown, else the median time left for renders as old as this one (its API's
    /// render-time model); nil while it waits for a person.
    func expectedRemaining(
        for job: TrackedJob, snapshot: JobSnapshot?, pace: ProgressPace?, now: Date
    ) -> Duration? {
        if snapshot?.state == .needsInput { return nil }
        if let percent = snapshot?.progress, let remaining = pace?.remaining(at: percent, on: now) {
            return remaining
        }
        let model = schedule(for: job.ref.api).model
        let age = Self.age(of: job, snapshot: snapshot, at: now)
        let done = model.cumulative(age)
        return max(.zero, model.quantile(done + (1 - done) / 2) - age)
    }

    /// Whether `job` is due well before its safety-net poll — an event made it due, so it has most likely ended and
    /// a bulk status would only precede the detail call its links need.
    func madeDueByEvent(_ job: TrackedJob, now: Date) -> Bool {
        guard let push, push.covers(job.ref.api), job.polls > 0 else { return false }
        return now.timeIntervalSince(job.updatedAt) < push.safetyDelay.secondsValue * 0.9
    }

    /// How long a job has been running: from its creation time when the provider reports one, and never less than
    /// it has been tracked.
    static func age(of job: TrackedJob, snapshot: JobSnapshot?, at now: Date) -> Duration {
        let tracked = seconds(now.timeIntervalSince(job.addedAt))
        guard let created = snapshot?.createdAt else { return tracked }
        return max(tracked, seconds(now.timeIntervalSince(created)))
    }

    /// `interval` as a duration: zero when negative, the longest when out of range.
    static func seconds(_ interval: TimeInterval) -> Duration {
        guard interval > 0 else { return .zero }
        return CheckedConversion.duration(seconds: interval) ?? horizon
    }
}
