import Foundation
import Logging
import ReelWatch
import ReelWatchStore

/// Works the tracked jobs of a ``JobStore``: polls those that are due, downloads the files of those that
/// succeeded, and records everything in the store. `track check` runs one pass; ``TrackerService`` runs
/// passes until it is stopped.
public struct Tracker: Sendable {
    /// Where the jobs are.
    public let store: any JobStore
    /// Fetches statuses (and its clock, jitter and rate limiter drive the tracker).
    public let client: StatusClient
    /// Fetches files.
    public let downloader: Downloader
    /// How to poll and download.
    public let options: TrackerOptions
    /// The current date (tests pass the simulator's).
    public let wallClock: @Sendable () -> Date
    /// Each API's poll schedule, built once (its render-time window takes quantiles to compute).
    private let schedules: [ProviderAPI: PollSchedule]

    /// The most single-job answers recorded in one transaction.
    static let recordBatch = 64
    /// The longest an answer waits to be recorded while more are coming.
    static let recordDelay: Duration = .milliseconds(200)

    /// How long a tracked job may go without a deadline.
    static let horizon: Duration = .seconds(365 * 24 * 3600)

    /// Creates a tracker.
    public init(
        store: any JobStore,
        client: StatusClient,
        downloader: Downloader,
        options: TrackerOptions = TrackerOptions(),
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.client = client
        self.downloader = downloader
        self.options = options
        self.wallClock = wallClock
        self.schedules = Dictionary(
            uniqueKeysWithValues: ProviderAPI.allCases.map { ($0, options.watch.schedule(for: $0)) })
    }

    /// Polls every job that is due now once, records the answers, and returns how many jobs were polled.
    ///
    /// Cancelled, it stops asking and returns once every answer already received is recorded; the jobs it did not
    /// hear back from stay due, as if they had not been asked.
    public func pollDue(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        let now = wallClock()
        var polled = 0
        while !Task.isCancelled {
            let due = try await store.dueJobs(at: now, limit: options.batchSize)
            if due.isEmpty { break }
            let store = self.store
            try await poll(due, now: now) { outcomes throws(ReelWatchError) in
                try await store.record(outcomes.map(\.update))
                for outcome in outcomes {
                    if let event = outcome.event { await report(event) }
                }
            }
            polled += due.count
        }
        return polled
    }

    /// Fetches fresh links for finished jobs whose links expire within ``TrackerOptions/refreshLinksAhead``
    /// (nothing when it is nil); returns how many jobs were refreshed.
    public func refreshLinks(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        guard let ahead = options.refreshLinksAhead else { return 0 }
        let horizon = wallClock().addingTimeInterval(ahead.secondsValue)
        let jobs = try await store.expiringLinks(before: horizon, limit: options.batchSize)
        let store = self.store
        try await poll(jobs, now: wallClock(), bulk: false) { outcomes throws(ReelWatchError) in
            try await store.record(outcomes.map(\.update))
            for outcome in outcomes {
                if let event = outcome.event, case .pollFailed = event { await report(event) }
            }
        }
        return jobs.count
    }

    /// Downloads the pending files of up to ``TrackerOptions/batchSize`` jobs that succeeded (oldest first);
    /// returns how many files landed.
    ///
    /// Cancelled, it starts no more files; those in flight stop and keep their `.part` to resume from, and stay
    /// pending in the store (not failed); files that landed are recorded.
    public func downloadPending(
        report: @escaping @Sendable (TrackerEvent) async -> Void = { _ in }
    ) async throws(ReelWatchError) -> Int {
        guard !Task.isCancelled else { return 0 }
        let jobs = try await store.jobs(in: [.downloading], limit: options.batchSize)
        var work: [(JobRef, String, DownloadItem)] = []
        for job in jobs {
            guard let snapshot = job.snapshot, let directory = job.downloadDirectory else { continue }
            let items: [DownloadItem]
            do throws(ReelWatchError) {
                items = try Downloader.plan(
                    snapshot, selection: options.selection, directory: directory, naming: options.naming)
            } catch {
                await report(.downloadFailed(job.ref, error))
                continue
            }
            var recorded = job.files
            if recorded.isEmpty {
                let files = items.map { TrackedFile(name: $0.fileName, kind: $0.asset.kind, path: $0.path) }
                recorded = try await store.plan(files, for: job.ref, at: wallClock())
            }
            // Each file goes where the store placed it (a numbered path when another job's file held the name).
            let byName = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for item in items where byName[item.fileName]?.status != .done {
                let placed = byName[item.fileName].map { item.placed(at: $0.path) } ?? item
                work.append((job.ref, item.fileName, placed))
            }
        }
        return await withTaskGroup(of: Int.self) { group in
            var next = 0
            var landed = 0
            func start() {
                guard next < work.count, !Task.isCancelled else { return }
                let (ref, name, item) = work[next]
                next += 1
                group.addTask { await download(item, named: name, of: ref, report: report) }
            }
            for _ in 0..<max(1, options.downloadConcurrency) { start() }
            while let count = await group.next() {
                landed += count
                start()
            }
            return landed
        }
    }

    /// Downloads one file and records how it went; 1 when it landed. (Task-group children call a method that
    /// catches, rather than catching inline: see ``StatusClient/result(of:)``.)
    private func download(
        _ item: DownloadItem,
        named name: String,
        of ref: JobRef,
        report: @Sendable (TrackerEvent) async -> Void
    ) async -> Int {
        do {
            let result = try await downloader.download(item)
            let file = TrackedFile(
                name: name, kind: item.asset.kind, path: result.path, status: .done, bytes: result.bytes,
                sha256: result.sha256)
            try await store.update(file, of: ref, at: wallClock())
            await report(.downloaded(result))
            return 1
        } catch  where error.code == .cancelled {
            return 0
        } catch {
            let file = TrackedFile(
                name: name, kind: item.asset.kind, path: item.path, status: .failed, error: error.message)
            try? await store.update(file, of: ref, at: wallClock())
            await report(.downloadFailed(ref, error))
            return 0
        }
    }

    /// One job's poll outcome: the store update and what to tell the user.
    struct Outcome: Sendable {
        var update: PollUpdate
        var event: TrackerEvent?
    }

    /// Polls `jobs` and hands the outcomes to `record` as they come: HeyGen v3 jobs through the bulk endpoint
    /// (one batch; details only for those that finished), the rest one by one, several at a time, their answers
    /// handed over in small groups as they arrive (at most ``recordBatch``, none kept longer than
    /// ``recordDelay`` while others come in), so that one slow answer holds up no other job.
    func poll(
        _ jobs: [TrackedJob],
        now: Date,
        bulk useBulk: Bool = true,
        record: ([Outcome]) async throws(ReelWatchError) -> Void
    ) async throws(ReelWatchError) {
        let bulk = options.useBulkStatus && useBulk ? jobs.filter { $0.ref.api == .v3 } : []
        let inBulk = Set(bulk.map(\.ref))
        var detail: [(job: TrackedJob, polls: Int)] = jobs.filter { !inBulk.contains($0.ref) }.map { ($0, 1) }
        if !bulk.isEmpty {
            var outcomes: [Outcome] = []
            do throws(ReelWatchError) {
                let statuses = try await client.bulkStatuses(ofV3: bulk.map(\.ref.id))
                for job in bulk {
                    guard let entry = statuses[job.ref.id], let state = entry.state, !state.isTerminal else {
                        // Finished (its links, or its failure in full, come with the detail), or unknown to the
                        // bulk answer (the detail call says why).
                        detail.append((job, 2))
                        continue
                    }
                    var snapshot = job.snapshot ?? JobSnapshot(ref: job.ref, state: state)
                    snapshot.state = state
                    snapshot.providerStatus = entry.providerStatus
                    outcomes.append(outcome(job, snapshot: snapshot, polls: 1, now: now))
                }
            } catch  where error.code == .cancelled {
                // Not asked: the jobs stay due.
            } catch {
                // The bulk call failed after its retries: fall back to one request per job.
                detail += bulk.map { ($0, 2) }
            }
            try await record(outcomes)
        }
        var failure: ReelWatchError?
        await withTaskGroup(of: Outcome?.self) { group in
            var next = 0
            var pending: [Outcome] = []
            var lastRecorded = ContinuousClock.now
            func start() {
                guard next < detail.count, !Task.isCancelled else { return }
                let (job, polls) = detail[next]
                next += 1
                group.addTask { await pollOne(job, polls: polls) }
            }
            for _ in 0..<max(1, options.pollConcurrency) { start() }
            while let answer = await group.next() {
                guard failure == nil else { continue }
                start()
                // A poll cut short by cancellation is no answer: its job stays due.
                guard let outcome = answer else { continue }
                pending.append(outcome)
                // Answers are recorded together (one transaction) once enough have come or the oldest has waited
                // long enough, and each at once when the list is done, so that a crash loses at most a few
                // answers (their jobs are simply asked again) and the store's one writer is not the bottleneck.
                guard
                    pending.count >= Self.recordBatch || next == detail.count
                        || lastRecorded.duration(to: .now) >= Self.recordDelay
                else { continue }
                do throws(ReelWatchError) {
                    try await record(pending)
                } catch {
                    failure = error
                    group.cancelAll()
                }
                pending.removeAll(keepingCapacity: true)
                lastRecorded = .now
            }
            // Cancelled before the list was done: what was heard is recorded all the same.
            if failure == nil, !pending.isEmpty {
                do throws(ReelWatchError) {
                    try await record(pending)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }

    /// One job's status call, as an outcome; nil when it was cancelled before an answer came. (Task-group
    /// children call a method rather than catching inline: see ``StatusClient/result(of:)``.)
    private func pollOne(_ job: TrackedJob, polls: Int) async -> Outcome? {
        let result = await client.result(of: job.ref)
        let now = wallClock()
        switch result {
        case .success(let snapshot): return outcome(job, snapshot: snapshot, polls: polls, now: now)
        case .failure(let error) where error.code == .cancelled: return nil
        case .failure(let error): return failure(job, error: error, polls: polls, now: now)
        }
    }

    private func outcome(_ job: TrackedJob, snapshot: JobSnapshot, polls: Int, now: Date) -> Outcome {
        let next = nextPoll(job, snapshot: snapshot, retryAfter: nil, now: now)
        let update = PollUpdate(ref: job.ref, snapshot: snapshot, polls: polls, nextPollAt: next, at: now)
        let changed = job.state != snapshot.state
        return Outcome(update: update, event: changed ? .changed(job.ref, from: job.state, to: snapshot) : nil)
    }

    private func failure(_ job: TrackedJob, error: ReelWatchError, polls: Int, now: Date) -> Outcome {
        let next = nextPoll(job, snapshot: job.snapshot, retryAfter: error.retryAfter, now: now)
        let gone = error.code == .jobNotFound
        let update = PollUpdate(
            ref: job.ref, snapshot: nil, error: error.message, polls: polls, nextPollAt: next, at: now, gone: gone)
        return Outcome(update: update, event: .pollFailed(job.ref, error))
    }

    /// When to poll `job` next, from its API's schedule: its age against the render-time model, backoff once
    /// it is overdue, and the server's `Retry-After`.
    func nextPoll(_ job: TrackedJob, snapshot: JobSnapshot?, retryAfter: Duration?, now: Date) -> Date {
        let schedule = schedules[job.ref.api] ?? options.watch.schedule(for: job.ref.api)
        let started = snapshot?.createdAt ?? job.addedAt
        let age = Duration.seconds(max(0, now.timeIntervalSince(started)))
        let situation = PollSchedule.Situation(
            jobAge: age,
            untilDeadline: Self.horizon,
            backoffPolls: max(0, job.polls - 1),
            stateUnknown: snapshot?.state == .unknown,
            retryAfter: retryAfter
        )
        let delay = schedule.nextDelay(situation, unitRandom: client.random()) ?? schedule.maxDelay
        return now.addingTimeInterval(delay.secondsValue)
    }
}
