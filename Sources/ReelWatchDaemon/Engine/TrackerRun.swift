import Foundation
import Logging
import ReelWatch
import ReelWatchStore

/// One run of the engine: the state shared by its two pools — polls and downloads, each a
/// ``withBoundedConcurrency(limit:next:work:handle:)`` loop asking this actor for work — and every decision about
/// when a job is polled.
///
/// Jobs are taken from the store when due (leased, so that nobody else takes them meanwhile), polled in child
/// tasks, and their answers are handed back here and recorded together the next time a pool asks for work: one
/// slow answer (a `Retry-After` of minutes) holds up no other job.
actor TrackerRun {
    /// One unit of poll work; each takes one slot of ``TrackerOptions/pollConcurrency``.
    enum PollWork: Sendable {
        /// Jobs of one API with bulk status, asked in one request: by their IDs, or (`batch` set) as the members of
        /// that batch, through the API's batch form.
        case bulk([TrackedJob], batch: JobRef?)
        /// One job asked on its own; `polls` calls were already made for it in this poll (its bulk answer).
        case detail(TrackedJob, polls: Int)
        /// A finished job asked again for fresh links.
        case refresh(TrackedJob)
    }

    /// What poll work came back with.
    enum PollAnswer: Sendable {
        /// `at` is when the answer came, on the client's clock: the next poll is planned from then.
        case answered(TrackedJob, Result<JobSnapshot, ReelWatchError>, polls: Int, refresh: Bool, at: Duration)
        /// Found finished (or unknown) by a bulk answer, or the bulk call failed: asked on their own next.
        case needsDetail([TrackedJob], polls: Int)
        /// Cancelled before an answer came: due again.
        case notAsked([TrackedJob])
    }

    /// One file to fetch.
    struct DownloadWork: Sendable {
        var ref: JobRef
        var name: String
        var item: DownloadItem
    }

    /// How a download ended.
    enum DownloadOutcome: Sendable {
        case landed(DownloadResult)
        case failed(ReelWatchError)
        case cancelled
    }

    /// A job a `follow` run covers.
    struct Followed {
        var outcome: JobProgress.Outcome = .running
        var invalidInARow = 0
        /// Files planned and not yet ended.
        var filesLeft = 0
        /// Whether the files of the job's last answer are still to be planned (its outcome known).
        var awaitingFiles = false
        var ended = false

        /// Whether nothing is left to do for the job: its outcome is known and none of its files is planned or in
        /// flight (a job whose outputs finish one by one may have some while it still runs, or when it fails).
        var isOver: Bool { outcome != .running && !awaitingFiles && filesLeft <= 0 }
    }

    private let tracker: Tracker
    private let scope: TrackerScope
    private let downloadProgress: @Sendable (DownloadProgress) -> Void
    private let report: @Sendable (TrackerEvent) async -> Void
    private let pollSignal: WakeSignal
    private let downloadSignal = WakeSignal()
    /// When the run began, on the client's clock and as a date.
    private let startOffset: Duration
    private let startDate: Date

    private var queue: [PollWork] = []
    private var inFlight: Set<JobRef> = []
    private var pollsRunning = 0
    private var answers: [PollAnswer] = []
    private var flushing = 0
    private var takenAll = false
    private var pollsFinished = false
    private var nextRefresh: Date?

    private var downloads: [DownloadWork] = []
    private var downloadsRunning = 0
    /// The names of each job's files queued or being fetched.
    private var filesInFlight: [JobRef: Set<String>] = [:]
    /// The names of each job's files that landed in this run (a job whose outputs finish one by one plans its files
    /// again at every answer: these are not fetched, checked or told about again).
    private var landedFiles: [JobRef: Set<String>] = [:]
    /// The latest answer to plan the files of, for each job whose files were being planned when it came.
    private var replans: [JobRef: (job: TrackedJob, snapshot: JobSnapshot)] = [:]
    /// Jobs a file of landed (or failed) for while a scan of pending downloads read the store: what the scan read
    /// of them is stale, so it leaves them to the next scan.
    private var settledDuringScan: Set<JobRef> = []
    /// Jobs whose downloads are being planned (``queueDownloads(of:snapshot:now:)`` awaits the store).
    private var queueing: Set<JobRef> = []
    private var retryDownloadsAt: [JobRef: Date] = [:]
    /// How many times in a row each job's downloads failed transiently (``TrackerOptions/transientRetry``).
    private var transientDownloadFailures: [JobRef: Int] = [:]
    private var nextScan: Date?

    private var followed: [JobRef: Followed] = [:]
    /// When each followed job that is not being polled is next due (a `follow` run keeps its own schedule: nobody
    /// else writes its store).
    private var scheduled: [JobRef: Date] = [:]
    private var failure: ReelWatchError?
    private var summary = TrackerRunSummary()
    /// How fast each running job's own progress grows, from when this run first saw it (or the store's last answer).
    private var paces: [JobRef: ProgressPace] = [:]

    init(
        tracker: Tracker,
        scope: TrackerScope,
        downloadProgress: @escaping @Sendable (DownloadProgress) -> Void,
        report: @escaping @Sendable (TrackerEvent) async -> Void
    ) {
        self.tracker = tracker
        self.scope = scope
        self.downloadProgress = downloadProgress
        self.report = report
        self.startOffset = tracker.client.time.now()
        self.startDate = tracker.wallClock()
        // A daemon also wakes for news from outside (jobs an account sync added); one daemon run at a time uses it.
        if case .daemon = scope, let news = tracker.news { pollSignal = news } else { pollSignal = WakeSignal() }
        switch scope {
        case .refreshLinks: nextRefresh = startDate
        case .daemon: nextRefresh = tracker.options.refreshLinksAhead == nil ? nil : startDate
        case .pass, .follow: nextRefresh = nil
        }
    }

    private var store: any JobStore { tracker.store }
    private var options: TrackerOptions { tracker.options }
    /// The current date: the date the run started at, plus the time the client's clock says has passed since
    /// (so that the engine's dates and its sleeps run on one clock, and a wall clock that jumps moves no poll).
    private var now: Date { date(after: tracker.client.time.now() - startOffset, from: startDate) }

    private var follow: FollowPlan? {
        if case .follow(let plan) = scope { return plan }
        return nil
    }

    private var pollsWanted: Bool {
        switch scope {
        case .pass(let polls, _): polls
        case .refreshLinks, .daemon, .follow: true
        }
    }

    /// Whether the run is the store's one worker, taking its due jobs (`run`, `serve`, `track check`: the commands
    /// that hold its worker lock), rather than a `follow` run over its own jobs.
    private var worksTheStore: Bool {
        switch scope {
        case .daemon: true
        case .pass(let polls, _): polls
        case .refreshLinks, .follow: false
        }
    }

    private var downloadsWanted: Bool {
        guard tracker.downloader != nil else { return false }
        switch scope {
        case .pass(_, let downloads): return downloads
        case .refreshLinks: return false
        case .daemon: return true
        case .follow(let plan): return plan.downloadDirectory != nil
        }
    }

    // MARK: - The run

    func run() async throws(ReelWatchError) -> TrackerRunSummary {
        if worksTheStore {
            // Whatever is leased now was taken by a worker that died with its polls in flight: due again at once,
            // not when those leases end.
            let reclaimed = try await store.reclaimLeases()
            if reclaimed > 0 {
                tracker.client.logger.notice(
                    "jobs a stopped worker had taken are due again", metadata: ["jobs.reclaimed": "\(reclaimed)"])
            }
        }
        if let plan = follow {
            var seen = Set<JobRef>()
            let refs = plan.refs.filter { seen.insert($0).inserted }
            let requests = refs.map { TrackRequest(ref: $0, downloadDirectory: plan.downloadDirectory) }
            _ = try await store.track(all: requests, at: startDate)
            for ref in refs { followed[ref] = Followed() }
        }
        let pollConcurrency = max(1, options.pollConcurrency)
        let downloadConcurrency = max(1, options.downloadConcurrency)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withBoundedConcurrency(
                    limit: pollConcurrency, next: { await self.nextPoll() }, work: { await self.poll($0) })
                await self.pollsDone()
            }
            group.addTask {
                await withBoundedConcurrency(
                    limit: downloadConcurrency, next: { await self.nextDownload() },
                    work: { await self.download($0) })
            }
        }
        await flush()
        // Work taken from the store and never started: due again.
        let untouched = queue.flatMap(Self.jobs(of:)).map(\.ref)
        queue.removeAll()
        if !untouched.isEmpty, failure == nil {
            do throws(ReelWatchError) {
                try await store.release(untouched, dueAt: now)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return summary
    }

    private static func jobs(of work: PollWork) -> [TrackedJob] {
        switch work {
        case .bulk(let jobs, _): jobs
        case .detail(let job, _), .refresh(let job): [job]
        }
    }

    /// Whether the run should start nothing more.
    private var stopping: Bool { failure != nil || Task.isCancelled }

    /// The instant of the client's clock at `date` (the start of the run for a date before it), to the microsecond:
    /// a date is a `Double`, and a poll planned for a moment must not be woken a rounding error before it.
    private func offset(at date: Date) -> Duration {
        let micros = (date.timeIntervalSince(startDate) * 1e6).rounded(.up)
        return startOffset + Tracker.seconds(micros / 1e6)
    }

    /// How early a job counts as due: more than the rounding error of a date, less than any poll interval.
    static let dueTolerance: TimeInterval = 0.001

    private nonisolated func date(after delay: Duration, from date: Date) -> Date {
        date.addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18)
    }

    // MARK: - Polls

    /// The next poll work, waiting until some is due; nil once the run's polls are over.
    private func nextPoll() async -> PollWork? {
        while true {
            await flush()
            if stopping { return nil }
            if !queue.isEmpty {
                pollsRunning += 1
                return queue.removeFirst()
            }
            if let plan = follow, followed.values.allSatisfy(\.ended) || plan.refs.isEmpty { return nil }
            let now = self.now
            if let refresh = nextRefresh, refresh <= now {
                await takeExpiringLinks(now: now)
                continue
            }
            if case .refreshLinks = scope {
                if pollsRunning == 0, answers.isEmpty, flushing == 0 { return nil }
            } else if pollsWanted, !takenAll {
                if await takeDue(now: now) { continue }
            }
            if case .pass = scope, takenAll || !pollsWanted, pollsRunning == 0, answers.isEmpty, flushing == 0 {
                return nil
            }
            await pollSignal.wait(until: await wakeTime(now: now).map(offset(at:)), on: tracker.client.time)
        }
    }

    /// When the poll pool should look again without news: the next due job, the daemon's idle interval and
    /// link refresh; nil to wait for news only.
    private func wakeTime(now: Date) async -> Date? {
        var wake: Date?
        switch scope {
        case .pass, .refreshLinks: return nil
        case .follow: return scheduled.values.min()
        case .daemon:
            wake = date(after: options.idleInterval, from: now)
            if let refresh = nextRefresh { wake = min(wake ?? refresh, refresh) }
        }
        do throws(ReelWatchError) {
            if let due = try await store.nextDue() { wake = min(wake ?? due, due) }
        } catch {
            fail(error)
        }
        return wake
    }

    /// Takes the jobs due now (in a pass: due when it started) from the store and queues their polls; false when
    /// none were due.
    private func takeDue(now: Date) async -> Bool {
        var at = now
        if case .pass = scope { at = startDate }
        at.addTimeInterval(Self.dueTolerance)
        let due: [TrackedJob]
        do throws(ReelWatchError) {
            due = try await store.takeDue(
                at: at, limit: max(1, options.batchSize), leaseUntil: date(after: options.lease, from: now))
        } catch {
            fail(error)
            return false
        }
        if due.isEmpty {
            if case .pass = scope { takenAll = true }
            return false
        }
        var jobs = admit(due)
        jobs += await companions(of: jobs, now: now)
        enqueue(jobs)
        // Jobs this run is already polling (whose lease ran out: taking them renewed it) or has finished with are
        // not news.
        return !jobs.isEmpty
    }

    /// The jobs among `taken` this run polls now, marked in flight: not those it is polling already, nor in a
    /// `follow` run those it does not follow or has ended.
    private func admit(_ taken: [TrackedJob]) -> [TrackedJob] {
        var jobs: [TrackedJob] = []
        for job in taken where !inFlight.contains(job.ref) {
            if follow != nil, followed[job.ref].map({ !$0.ended }) != true { continue }
            scheduled[job.ref] = nil
            jobs.append(job)
            inFlight.insert(job.ref)
        }
        return jobs
    }

    /// The jobs that ride along in the bulk status requests going out now, taken from the store: for each API
    /// `jobs` are asked through in bulk, its other jobs due within its lag target (the interval its schedule polls
    /// at while most renders finish). Each job keeps its own jittered schedule, so left alone a bulk request would
    /// carry only the few whose jitter happens to match; an extra ID costs nothing, and a job asked a little early
    /// is only seen sooner. The one batching rule of every scope: `wait`, `track check`, `run` and `serve`.
    private func companions(of jobs: [TrackedJob], now: Date) async -> [TrackedJob] {
        let apis = Set(jobs.filter(goesInBulk).map(\.ref.api))  // a handed-over job's own API: its peers ride too
        var companions: [TrackedJob] = []
        for api in apis.sorted(by: { $0.rawValue < $1.rawValue }) {
            let horizon = date(after: tracker.schedule(for: api).lagInterval, from: now)
            do throws(ReelWatchError) {
                let taken = try await store.takeDue(
                    of: api, at: horizon.addingTimeInterval(Self.dueTolerance), limit: max(1, options.batchSize),
                    leaseUntil: date(after: options.lease, from: now))
                companions += admit(taken)
            } catch {
                fail(error)
                break
            }
        }
        return companions
    }

    /// Whether `job` is asked through its API's bulk status (else on its own); a job handed over to another (a Video
    /// Agent session to its video) through that one's API.
    private func goesInBulk(_ job: TrackedJob) -> Bool {
        options.useBulkStatus && follow?.pollOnce != true && Self.polledRef(of: job).api.bulkAdapter != nil
            && !tracker.madeDueByEvent(job, now: now)
    }

    /// The ref a bulk request asks about for `job`: the job its last answer handed over to, else its own.
    private nonisolated static func polledRef(of job: TrackedJob) -> JobRef {
        job.snapshot?.handover ?? job.ref
    }

    /// Queues polls of `jobs`: through bulk status where their API offers it, one by one otherwise.
    private func enqueue(_ jobs: [TrackedJob]) {
        var groups: [ProviderAPI: [TrackedJob]] = [:]
        var batches: [JobRef: [TrackedJob]] = [:]
        for job in jobs {
            if !goesInBulk(job) {
                queue.append(.detail(job, polls: 0))
            } else if let batch = Self.batch(of: job, client: tracker.client) {
                batches[batch, default: []].append(job)
            } else {
                groups[Self.polledRef(of: job).api, default: []].append(job)
            }
        }
        // A batch's members in one request for the whole batch (paged by the provider), whatever their number.
        for (batch, members) in batches.sorted(by: { $0.key.description < $1.key.description }) {
            queue.append(.bulk(members, batch: batch))
        }
        for (api, jobs) in groups.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let limit = max(1, api.bulkAdapter?.bulkLimit ?? 1)
            var start = 0
            while start < jobs.count {
                let end = min(start + limit, jobs.count)
                queue.append(.bulk(Array(jobs[start..<end]), batch: nil))
                start = end
            }
        }
    }

    /// The batch `job` is a member of (its meta `batch`), when its API answers a whole batch's statuses at once
    /// (HeyGen's `statuses?batch_ids=`); nil for every other job, asked by its ID.
    private nonisolated static func batch(of job: TrackedJob, client: StatusClient) -> JobRef? {
        guard let text = job.meta["batch"], let batch = try? JobRef(parsing: text),
            batch.api.memberAdapter?.memberAPI == job.ref.api, job.snapshot?.handover == nil,
            let adapter = job.ref.api.bulkAdapter,
            adapter.batchStatusRequest(
                batchIDs: [batch.id], token: nil, baseURL: client.configuration.baseURL(for: job.ref.provider)) != nil
        else { return nil }
        return batch
    }

    /// Queues fresh-link polls of finished jobs whose links expire soon.
    private func takeExpiringLinks(now: Date) async {
        nextRefresh = if case .daemon = scope { date(after: options.linkRefreshInterval, from: now) } else { nil }
        guard let ahead = options.refreshLinksAhead else { return }
        do throws(ReelWatchError) {
            let jobs = try await store.expiringLinks(
                before: date(after: ahead, from: now), limit: max(1, options.batchSize))
            for job in jobs where !inFlight.contains(job.ref) {
                inFlight.insert(job.ref)
                queue.append(.refresh(job))
            }
        } catch {
            fail(error)
        }
    }

    /// Does one unit of poll work (in a child task) and hands what came back to the run.
    private nonisolated func poll(_ work: PollWork) async {
        let client = tracker.client
        var answers: [PollAnswer] = []
        switch work {
        case .detail(let job, let polls):
            let result = await client.result(of: job.ref, previous: job.snapshot, before: followDeadline)
            switch result {
            case .failure(let error) where error.code == .cancelled:
                answers.append(.notAsked([job]))
            case .failure(let error) where error.code == .timedOut:
                // Not sent: the follow's deadline had passed. Not a poll; settling it ends the job as timed out.
                answers.append(.answered(job, result, polls: polls, refresh: false, at: client.time.now()))
            default:
                answers.append(.answered(job, result, polls: polls + 1, refresh: false, at: client.time.now()))
            }
        case .refresh(let job):
            let result = await client.result(of: job.ref, previous: job.snapshot)
            if case .failure(let error) = result, error.code == .cancelled {
                answers.append(.notAsked([job]))
            } else {
                answers.append(.answered(job, result, polls: 1, refresh: true, at: client.time.now()))
            }
        case .bulk(let jobs, let batch):
            switch await Self.bulkStatuses(of: jobs, batch: batch, client: client, before: followDeadline) {
            case .success(let statuses):
                let at = client.time.now()
                var detail: [TrackedJob] = []
                for job in jobs {
                    // Finished (its links, or its failure in full, come with the detail), or unknown to the bulk
                    // answer (the detail call says why).
                    guard let entry = statuses[Self.polledRef(of: job)], let state = entry.state, !state.isTerminal
                    else {
                        detail.append(job)
                        continue
                    }
                    var snapshot = job.snapshot ?? JobSnapshot(ref: job.ref, state: state)
                    snapshot.state = state
                    // A handed-over job keeps its own word; its state is its video's.
                    if snapshot.handover == nil { snapshot.providerStatus = entry.providerStatus }
                    answers.append(.answered(job, .success(snapshot), polls: 1, refresh: false, at: at))
                }
                if !detail.isEmpty { answers.append(.needsDetail(detail, polls: 1)) }
            case .failure(let error) where error.code == .cancelled:
                answers.append(.notAsked(jobs))
            case .failure(let error) where error.code == .timedOut:
                // Not sent: the follow's deadline had passed; no detail call would be either.
                let at = client.time.now()
                for job in jobs { answers.append(.answered(job, .failure(error), polls: 0, refresh: false, at: at)) }
            case .failure:
                // The bulk call failed after its retries: each job is asked on its own.
                answers.append(.needsDetail(jobs, polls: 1))
            }
        }
        await finished(answers)
    }

    /// The bulk statuses as a `Result` (task-group children do not catch typed errors inline: see
    /// ``StatusClient/result(of:before:)``).
    private static func bulkStatuses(
        of jobs: [TrackedJob], batch: JobRef?, client: StatusClient, before deadline: Duration?
    ) async -> Result<[JobRef: BulkStatus], ReelWatchError> {
        do {
            // Members of one batch: the batch's statuses at once (`enqueue` grouped them, its API has the form).
            if let batch, let first = jobs.first,
                let statuses = try await client.bulkStatuses(inBatch: batch.id, of: first.ref.api, before: deadline)
            {
                return .success(statuses)
            }
            return .success(try await client.bulkStatuses(of: jobs.map(polledRef), before: deadline))
        } catch {
            return .failure(error)
        }
    }

    /// The instant of the client's clock a `follow` run ends at, its polls and downloads with it (after which no
    /// poll is sent); nil for a run without a deadline.
    private nonisolated var followDeadline: Duration? {
        guard case .follow(let plan) = scope else { return nil }
        return startOffset + plan.timeout
    }

    private func finished(_ answers: [PollAnswer]) {
        pollsRunning -= 1
        self.answers += answers
        pollSignal.signal()
    }

    private func pollsDone() async {
        await flush()
        pollsFinished = true
        downloadSignal.signal()
    }

    private func fail(_ error: ReelWatchError) {
        if failure == nil { failure = error }
        pollSignal.signal()
        downloadSignal.signal()
    }

    // MARK: - Recording answers

    /// Records every answer received since the last flush in one transaction, then tells about them and queues the
    /// downloads of jobs that finished.
    private func flush() async {
        guard !answers.isEmpty else { return }
        let batch = answers
        answers.removeAll()
        flushing += 1
        defer { flushing -= 1 }
        let now = self.now
        var updates: [PollUpdate] = []
        var events: [TrackerEvent] = []
        var released: [JobRef] = []
        var succeeded: [(TrackedJob, JobSnapshot)] = []
        for answer in batch {
            switch answer {
            case .needsDetail(let jobs, let polls):
                queue.insert(contentsOf: jobs.map { .detail($0, polls: polls) }, at: 0)
            case .notAsked(let jobs):
                for job in jobs { inFlight.remove(job.ref) }
                released += jobs.map(\.ref)
            case .answered(var job, let result, let polls, let refresh, let offset):
                inFlight.remove(job.ref)
                if case .success(let snapshot) = result, snapshot.ref != job.ref {
                    // Its provider answers for it under another ref now (a retired legacy route's successor).
                    do throws(ReelWatchError) {
                        try await store.rename(job.ref, to: snapshot.ref)
                    } catch {
                        fail(error)
                        return
                    }
                    moveFollowed(job.ref, to: snapshot.ref)
                    job.ref = snapshot.ref
                    job.snapshot?.ref = snapshot.ref
                }
                let answered = date(after: offset - startOffset, from: startDate)
                if case .success(let snapshot) = result, !snapshot.members.isEmpty {
                    do throws(ReelWatchError) {
                        try await trackMembers(of: job, snapshot, now: now)
                    } catch {
                        fail(error)
                        return
                    }
                }
                if refresh {
                    summary.refreshed += 1
                    switch result {
                    case .success(let snapshot):
                        updates.append(
                            PollUpdate(
                                ref: job.ref, snapshot: snapshot, polls: polls, nextPollAt: job.nextPollAt,
                                at: answered))
                    case .failure(let error):
                        events.append(.pollFailed(job.ref, error))
                    }
                    continue
                }
                summary.polled += 1
                let settled = settle(job, result, polls: polls, now: answered)
                updates.append(settled.update)
                events += settled.events
                if let snapshot = settled.files { succeeded.append((job, snapshot)) }
            }
        }
        do throws(ReelWatchError) {
            if !updates.isEmpty { try await store.record(updates) }
            if !released.isEmpty { try await store.release(released, dueAt: now) }
        } catch {
            fail(error)
            return
        }
        for event in events { await report(event) }
        for (job, snapshot) in succeeded { await queueDownloads(of: job, snapshot: snapshot, now: now) }
    }

    /// Tracks the members a batch's answer names (``JobSnapshot/members``) that its last answer did not: each a job
    /// of its own, labelled with the batch (and meta `batch` = the batch's ref), its files going where the batch's
    /// go; a `follow` run follows them too. The one place a batch's members enter the engine: from then on they are
    /// polled like any job, through their API's bulk status.
    private func trackMembers(of batchJob: TrackedJob, _ snapshot: JobSnapshot, now: Date) async throws(ReelWatchError)
    {
        let known = Set(batchJob.snapshot?.members ?? [])
        let untracked = snapshot.members.filter { !known.contains($0) }
        if !untracked.isEmpty {
            var meta = batchJob.meta
            meta["batch"] = batchJob.ref.description
            let label = batchJob.label ?? batchJob.ref.description
            _ = try await store.track(
                all: untracked.map {
                    TrackRequest(ref: $0, label: label, meta: meta, downloadDirectory: batchJob.downloadDirectory)
                },
                at: now)
        }
        if follow != nil {
            for member in snapshot.members where followed[member] == nil {
                followed[member] = Followed()
                scheduled[member] = now
            }
        }
        pollSignal.signal()
    }

    /// Carries what the run keeps about a followed job over to the ref it was renamed to.
    private func moveFollowed(_ old: JobRef, to new: JobRef) {
        if let entry = followed.removeValue(forKey: old) { followed[new] = entry }
        if let date = scheduled.removeValue(forKey: old) { scheduled[new] = date }
        if let pace = paces.removeValue(forKey: old) { paces[new] = pace }
    }

    /// What one answer means: the store update, the events, and the snapshot whose files to fetch: when the job just
    /// succeeded, or, while it runs, when outputs that finish one by one have (``Provider/outputsFinishOneByOne``),
    /// files are wanted.
    private func settle(
        _ job: TrackedJob,
        _ result: Result<JobSnapshot, ReelWatchError>,
        polls: Int,
        now: Date
    ) -> (update: PollUpdate, events: [TrackerEvent], files: JobSnapshot?) {
        var snapshot = job.snapshot
        var error: ReelWatchError?
        switch result {
        case .success(let answer): snapshot = answer
        case .failure(let failure): error = failure
        }
        var events: [TrackerEvent] = []
        let changed = error == nil && (job.snapshot == nil || job.state != snapshot?.state)
        if changed, let snapshot { events.append(.changed(job.ref, from: job.state, to: snapshot)) }
        if let error { events.append(.pollFailed(job.ref, error)) }

        var followedJob = followed[job.ref]
        var outcome = JobProgress.Outcome.running
        if followedJob != nil {
            let deadlinePassed = follow.map { Tracker.seconds(now.timeIntervalSince(startDate)) >= $0.timeout } ?? false
            if let error {
                switch error.code {
                case .timedOut:
                    // A poll the deadline kept from being sent: the schedule below ends the job as timed out.
                    break
                case .providerUnavailable where deadlinePassed:
                    // The last poll of a follow whose deadline has come: there is no "again"; the timeout says it.
                    break
                case .providerUnavailable:
                    tracker.client.logger.warning(
                        "poll failed; trying again on schedule",
                        metadata: ["job.ref": "\(job.ref)", "error": "\(error.message)"])
                case .invalidResponse:
                    followedJob?.invalidInARow += 1
                    if (followedJob?.invalidInARow ?? 0) >= options.watch.maxConsecutiveInvalidAnswers {
                        outcome = .error(error)
                    }
                default:
                    outcome = .error(error)
                }
            } else {
                followedJob?.invalidInARow = 0
            }
        }
        if error == nil {
            switch snapshot?.state {
            case .succeeded: outcome = .succeeded
            case .failed, .cancelled: outcome = .failed
            case .needsInput where followedJob != nil && follow?.keepWaitingForInput != true: outcome = .needsInput
            case .queued, .processing, .needsInput, .unknown, nil: break
            }
        }

        let elapsedFrom = followedJob == nil ? job.addedAt : startDate
        let elapsed = Tracker.seconds(now.timeIntervalSince(elapsedFrom))
        var untilDeadline = Tracker.horizon
        if let plan = follow {
            untilDeadline = plan.pollOnce ? .zero : plan.timeout - elapsed
        }
        var delay: Duration?
        var backoffPolls = job.backoffPolls
        // A poll that failed is tried again on schedule, also for a job that had ended (reopened for more files).
        let polling = outcome == .running && (error != nil || snapshot?.state.isTerminal != true)
        if polling {
            let next = tracker.nextDelay(
                for: job, snapshot: snapshot, retryAfter: error?.retryAfter, pollFailed: error != nil, now: now,
                untilDeadline: untilDeadline)
            backoffPolls = next.backoffPolls
            delay = next.delay
            if delay == nil, followedJob != nil { outcome = .timedOut }
        }
        // A job a follow gave up on (its deadline came) is due at once for whoever works the store next.
        let nextPollAt = delay.map { date(after: $0, from: now) } ?? now
        let update = PollUpdate(
            ref: job.ref, snapshot: error == nil ? snapshot : nil, error: error?.message, polls: polls,
            backoffPolls: backoffPolls, nextPollAt: nextPollAt, at: now, gone: error?.code == .jobNotFound,
            snapshotUnchanged: error == nil && job.snapshot != nil && snapshot == job.snapshot)

        var expected: Duration?
        if outcome == .running {
            var pace = paces[job.ref]
            if error == nil, let percent = snapshot?.progress {
                // A job this run has not seen progress of yet starts from the store's last answer, when it had one.
                if pace == nil, let earlier = job.snapshot?.progress, earlier <= percent, job.updatedAt < now {
                    pace = ProgressPace(percent: earlier, at: job.updatedAt)
                }
                if pace == nil { pace = ProgressPace(percent: percent, at: now) }
                pace?.observe(percent, at: now)
            }
            paces[job.ref] = pace
            expected = tracker.expectedRemaining(for: job, snapshot: snapshot, pace: pace, now: now)
        } else {
            paces[job.ref] = nil
        }
        let progress = JobProgress(
            ref: job.ref, snapshot: snapshot, outcome: outcome, polls: job.polls + polls, elapsed: elapsed,
            expectedRemaining: expected, nextPoll: outcome == .running ? delay : nil, lastError: error)
        events.insert(.polled(progress, changed: changed), at: 0)

        var files: JobSnapshot?
        if downloadsWanted, job.downloadDirectory != nil || follow?.downloadDirectory != nil, let snapshot {
            if outcome == .succeeded {
                files = snapshot
            } else if outcome == .running || (outcome == .timedOut && follow?.pollOnce == true), error == nil,
                !snapshot.state.isTerminal,
                snapshot.api.adapter.outputsFinishOneByOne,
                snapshot.assets.contains(where: { $0.state == .succeeded && $0.url != nil })
            {
                files = snapshot
            }
        }
        if var followedJob {
            followedJob.outcome = outcome
            if outcome != .running, files != nil { followedJob.awaitingFiles = true }
            if followedJob.isOver { followedJob.ended = true }
            followed[job.ref] = followedJob
            if outcome == .running { scheduled[job.ref] = nextPollAt }
        }
        return (update, events, files)
    }

    // MARK: - Downloads

    /// Plans the files of a job that succeeded (as the store records them: a numbered path when another job's
    /// file holds the name) and queues those not yet on disk; for a job still running whose outputs finish one by
    /// one, the files of the outputs that have succeeded so far and are not yet on disk or on their way.
    private func queueDownloads(of job: TrackedJob, snapshot: JobSnapshot, now: Date) async {
        guard job.downloadDirectory ?? follow?.downloadDirectory != nil else { return }
        // Planned once at a time: a scan of pending downloads and the poll that found the job finished (or, while
        // it runs, two answers about it) can both come here for it, each across an await of the store. The latest
        // answer that came meanwhile is planned next.
        guard !queueing.contains(job.ref) else {
            replans[job.ref] = (job, snapshot)
            return
        }
        queueing.insert(job.ref)
        defer { queueing.remove(job.ref) }
        var next: (job: TrackedJob, snapshot: JobSnapshot)? = (job, snapshot)
        while let (job, snapshot) = next {
            await planDownloads(of: job, snapshot: snapshot, now: now)
            next = replans.removeValue(forKey: job.ref)
        }
        // A followed job whose outcome is known has had its last files planned: it ends once they have.
        if var followedJob = followed[job.ref], followedJob.outcome != .running {
            followedJob.awaitingFiles = false
            if followedJob.isOver { followedJob.ended = true }
            followed[job.ref] = followedJob
            pollSignal.signal()
        }
    }

    /// ``queueDownloads(of:snapshot:now:)`` for one answer.
    private func planDownloads(of job: TrackedJob, snapshot: JobSnapshot, now: Date) async {
        let running = !snapshot.state.isTerminal
        guard let directory = job.downloadDirectory ?? follow?.downloadDirectory else { return }
        // A job still running whose files failed a moment ago tries again after the delay, not at its next answer.
        if running, let retry = retryDownloadsAt[job.ref], retry > now { return }
        let items: [DownloadItem]
        do throws(ReelWatchError) {
            items = try Downloader.plan(
                snapshot, selection: options.selection, directory: directory, naming: options.naming)
        } catch {
            if running { return }
            await report(.downloadFailed(job.ref, error))
            return
        }
        let inFlight = filesInFlight[job.ref] ?? []
        let landed = landedFiles[job.ref] ?? []
        // Files that landed in this run, or are on their way, are left alone; so are those already done while the
        // job runs (its final answer checks them once more, as any command does).
        let done = Set(job.files.filter { $0.status == .done }.map(\.name))
        let fresh = items.filter {
            !inFlight.contains($0.fileName) && !landed.contains($0.fileName) && !(running && done.contains($0.fileName))
        }
        if running, fresh.isEmpty { return }
        var recorded = job.files
        let recordedNames = Set(recorded.map(\.name))
        if recorded.isEmpty || follow != nil || snapshot.api.adapter.outputsFinishOneByOne
            || items.contains(where: { !recordedNames.contains($0.fileName) })
        {
            let files = items.map { TrackedFile(name: $0.fileName, kind: $0.asset.kind, path: $0.path) }
            do throws(ReelWatchError) {
                recorded = try await store.plan(files, for: job.ref, at: now)
            } catch {
                fail(error)
                return
            }
        }
        // Each file goes where the store placed it (a numbered path when another job's file held the name).
        let byName = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var work: [DownloadWork] = []
        for item in fresh {
            var placed = item
            if let file = byName[item.fileName] {
                placed = item.placed(at: file.path)
                // A daemon leaves it; a command says it is already complete (after checking it is), once.
                if file.status == .done, follow == nil || running { continue }
                // Its length and SHA-256 are recorded before the rename: a file that has them at its path is this one
                // (a run killed between the rename and the record of the landed file left it there).
                if placed.path == file.path, let bytes = file.bytes {
                    placed.expectedBytes = bytes
                    placed.expectedSHA256 = file.sha256
                }
            }
            work.append(DownloadWork(ref: job.ref, name: item.fileName, item: placed))
        }
        if !work.isEmpty { filesInFlight[job.ref, default: []].formUnion(work.map(\.name)) }
        downloads += work
        if var followedJob = followed[job.ref] {
            followedJob.filesLeft += work.count
            followed[job.ref] = followedJob
        }
        downloadSignal.signal()
    }

    /// The next file to fetch, waiting until there is one; nil once the run's downloads are over.
    private func nextDownload() async -> DownloadWork? {
        while true {
            if stopping { return nil }
            if !downloads.isEmpty {
                downloadsRunning += 1
                return downloads.removeFirst()
            }
            let now = self.now
            var wake: Date?
            switch scope {
            case .refreshLinks:
                return nil
            case .pass(_, let wanted):
                guard wanted, downloadsWanted else { return nil }
                if nextScan == nil {
                    nextScan = now
                    await scanPending(now: now)
                    continue
                }
                if pollsFinished { return nil }
            case .follow:
                if pollsFinished || !downloadsWanted { return nil }
            case .daemon:
                guard downloadsWanted else { return nil }
                if nextScan.map({ $0 <= now }) ?? true {
                    nextScan = date(after: options.idleInterval, from: now)
                    await scanPending(now: now)
                    if !downloads.isEmpty { continue }
                }
                wake = nextScan
            }
            await downloadSignal.wait(until: wake.map(offset(at:)), on: tracker.client.time)
        }
    }

    /// Queues the pending files of jobs the store says are downloading (those with files in flight, or whose
    /// files failed a moment ago, excepted).
    private func scanPending(now: Date) async {
        settledDuringScan.removeAll()
        let jobs: [TrackedJob]
        do throws(ReelWatchError) {
            jobs = try await store.jobs(in: [.downloading], limit: max(1, options.batchSize))
        } catch {
            fail(error)
            return
        }
        for job in jobs where filesInFlight[job.ref] == nil && !settledDuringScan.contains(job.ref) {
            if let retry = retryDownloadsAt[job.ref], retry > now { continue }
            retryDownloadsAt[job.ref] = nil
            guard let snapshot = job.snapshot else { continue }
            await queueDownloads(of: job, snapshot: snapshot, now: now)
        }
    }

    /// Fetches one file (in a child task) and hands the outcome to the run.
    private nonisolated func download(_ work: DownloadWork) async {
        guard var downloader = tracker.downloader else { return }
        // A file still arriving at a follow's deadline is cut there: its `.part` stays and the file times out.
        downloader.deadline = followDeadline
        let outcome: DownloadOutcome
        do throws(ReelWatchError) {
            outcome = .landed(
                try await downloader.download(work.item, progress: downloadProgress) { landing throws(ReelWatchError) in
                    try await self.recordBeforeRename(work, landing)
                })
        } catch  where error.code == .cancelled {
            outcome = .cancelled
        } catch {
            outcome = .failed(error)
        }
        await downloaded(work, outcome)
    }

    /// Records where a file is about to land, with its length and SHA-256, before the downloader renames it there.
    private func recordBeforeRename(_ work: DownloadWork, _ landing: DownloadResult) async throws(ReelWatchError) {
        let file = TrackedFile(
            name: work.name, kind: work.item.asset.kind, path: landing.path, bytes: landing.bytes,
            sha256: landing.sha256)
        try await store.update(file, of: work.ref, at: now)
    }

    private func downloaded(_ work: DownloadWork, _ outcome: DownloadOutcome) async {
        downloadsRunning -= 1
        let now = self.now
        switch outcome {
        case .landed(let result):
            landedFiles[work.ref, default: []].insert(work.name)
            let file = TrackedFile(
                name: work.name, kind: work.item.asset.kind, path: result.path, status: .done, bytes: result.bytes,
                sha256: result.sha256)
            transientDownloadFailures[work.ref] = nil
            do throws(ReelWatchError) {
                try await store.update(file, of: work.ref, at: now)
                summary.saved += 1
                await report(.downloaded(result, item: work.item))
            } catch {
                await report(.downloadFailed(work.ref, error))
            }
        case .failed(let error):
            let file = TrackedFile(
                name: work.name, kind: work.item.asset.kind, path: work.item.path, status: .failed,
                error: error.message)
            // One the deadline cut did not fail: it stays pending, for the next run to resume.
            if error.code != .timedOut { try? await store.update(file, of: work.ref, at: now) }
            // A file that failed to open because descriptors ran out is tried again within seconds of their
            // freeing up, not after the delay of a download the provider failed.
            var retryDelay = options.downloadRetryDelay
            if error.transient {
                let failures = (transientDownloadFailures[work.ref] ?? 0) + 1
                transientDownloadFailures[work.ref] = failures
                retryDelay = options.transientRetry.delay(
                    beforeRetry: failures, retryAfter: nil, unitRandom: tracker.client.random())
            } else {
                transientDownloadFailures[work.ref] = nil
            }
            retryDownloadsAt[work.ref] = date(after: retryDelay, from: now)
            // Told once while the same passing failure repeats.
            if transientDownloadFailures[work.ref].map({ $0 <= 1 }) ?? true {
                await report(.downloadFailed(work.ref, error))
            }
        case .cancelled:
            break
        }
        if case .daemon = scope { settledDuringScan.insert(work.ref) }
        filesInFlight[work.ref]?.remove(work.name)
        if filesInFlight[work.ref]?.isEmpty == true { filesInFlight[work.ref] = nil }
        if var job = followed[work.ref] {
            job.filesLeft -= 1
            if job.isOver { job.ended = true }
            followed[work.ref] = job
        }
        pollSignal.signal()
        downloadSignal.signal()
    }
}
