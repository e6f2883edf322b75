import Foundation
import Logging

/// Follows one or many renders to the end: an `AsyncSequence` of ``JobProgress`` updates, one on every state
/// change (and on every poll when asked), a final one per job, and the end of the sequence once every job
/// is final.
///
/// Each job is polled on its own ``PollSchedule``; jobs due at the same moment are polled concurrently, under
/// the client's ``RateLimiter``. A poll that fails transiently (the client's own retries exhausted) never ends
/// a watch: the job is polled again on schedule, honouring `Retry-After`. Cancelling the task that iterates
/// ends the sequence with a `cancelled` error at once.
public struct Watcher: AsyncSequence, Sendable {
    /// One update about one job.
    public typealias Element = JobProgress

    /// The jobs watched, in the order given (duplicates removed).
    public let refs: [JobRef]
    private let client: StatusClient
    private let options: WatchOptions
    private let wallClock: @Sendable () -> Date

    /// Creates a watcher.
    ///
    /// - Parameters:
    ///   - client: fetches statuses; its clock, jitter source and rate limiter drive the polling too.
    ///   - wallClock: the current date, to tell a job's age from its `created_at`.
    public init(
        refs: [JobRef],
        client: StatusClient,
        options: WatchOptions = WatchOptions(),
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        var seen = Set<JobRef>()
        self.refs = refs.filter { seen.insert($0).inserted }
        self.client = client
        self.options = options
        self.wallClock = wallClock
    }

    /// Starts watching.
    public func makeAsyncIterator() -> Iterator {
        Iterator(watcher: self)
    }

    /// Produces the updates; polling happens inside `next()`.
    public struct Iterator: AsyncIteratorProtocol {
        private struct Job {
            var ref: JobRef
            var schedule: PollSchedule.Cursor
            var snapshot: JobSnapshot?
            var polls = 0
            var invalidInARow = 0
            var nextPoll: Duration
            var outcome: JobProgress.Outcome = .running
            var lastError: ReelWatchError?
        }

        private let watcher: Watcher
        private let start: Duration
        private var jobs: [Job]
        private var pending: [JobProgress] = []

        init(watcher: Watcher) {
            self.watcher = watcher
            self.start = watcher.client.time.now()
            self.jobs = watcher.refs.map { ref in
                Job(ref: ref, schedule: PollSchedule.Cursor(watcher.options.schedule(for: ref.api)), nextPoll: .zero)
            }
        }

        /// The next update, or nil once every job is final.
        public mutating func next() async throws(ReelWatchError) -> JobProgress? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                let open = jobs.indices.filter { jobs[$0].outcome == .running }
                guard let earliest = open.map({ jobs[$0].nextPoll }).min() else { return nil }
                let time = watcher.client.time
                if time.now() - start < earliest {
                    do {
                        try await time.sleep(until: start + earliest)
                    } catch {
                        throw ReelWatchError(code: .cancelled, message: "cancelled")
                    }
                }
                if Task.isCancelled { throw ReelWatchError(code: .cancelled, message: "cancelled") }
                let now = time.now() - start
                let due = open.filter { jobs[$0].nextPoll <= now }
                let client = watcher.client
                let deadline = start + watcher.options.timeout
                let results = await withTaskGroup(of: (Int, Result<JobSnapshot, ReelWatchError>).self) { group in
                    for index in due {
                        let ref = jobs[index].ref
                        group.addTask {
                            await (index, client.result(of: ref, before: deadline))
                        }
                    }
                    var results: [(Int, Result<JobSnapshot, ReelWatchError>)] = []
                    for await result in group { results.append(result) }
                    return results.sorted { $0.0 < $1.0 }
                }
                for (index, result) in results {
                    if case .failure(let error) = result, error.code == .cancelled { throw error }
                    record(result, for: index)
                }
            }
        }

        private mutating func record(_ result: Result<JobSnapshot, ReelWatchError>, for index: Int) {
            let time = watcher.client.time
            let options = watcher.options
            let elapsed = time.now() - start
            var job = jobs[index]
            job.polls += 1
            let previous = job.snapshot
            var retryAfter: Duration?
            switch result {
            case .success(let snapshot):
                job.snapshot = snapshot
                job.lastError = nil
                job.invalidInARow = 0
                switch snapshot.state {
                case .succeeded: job.outcome = .succeeded
                case .failed: job.outcome = .failed
                case .queued, .processing, .unknown: break
                }
            case .failure(let error):
                job.lastError = error
                switch error.code {
                case .providerUnavailable:
                    retryAfter = error.retryAfter
                    watcher.client.logger.warning(
                        "poll failed; trying again on schedule",
                        metadata: ["job.ref": "\(job.ref)", "error": "\(error.message)"]
                    )
                case .invalidResponse:
                    job.invalidInARow += 1
                    if job.invalidInARow >= options.maxConsecutiveInvalidAnswers { job.outcome = .error(error) }
                default:
                    job.outcome = .error(error)
                }
            }
            let age = jobAge(job.snapshot, elapsed: elapsed)
            let untilDeadline = options.timeout - elapsed
            var nextDelay: Duration?
            if job.outcome == .running {
                let delay = job.schedule.next(
                    jobAge: age,
                    untilDeadline: untilDeadline,
                    stateUnknown: job.snapshot?.state == .unknown,
                    retryAfter: retryAfter,
                    unitRandom: watcher.client.random()
                )
                if let delay {
                    nextDelay = delay
                    job.nextPoll = elapsed + delay
                } else {
                    job.outcome = .timedOut
                }
            }
            jobs[index] = job
            let changed = previous?.state != job.snapshot?.state || previous == nil
            guard changed || job.outcome != .running || options.reportEveryPoll else { return }
            pending.append(
                JobProgress(
                    ref: job.ref,
                    snapshot: job.snapshot,
                    outcome: job.outcome,
                    polls: job.polls,
                    elapsed: elapsed,
                    expectedRemaining: job.outcome == .running ? expectedRemaining(job, age: age) : nil,
                    nextPoll: nextDelay,
                    lastError: job.lastError
                )
            )
        }

        /// How long the job has been running: from its creation time when known, else since the watch began.
        private func jobAge(_ snapshot: JobSnapshot?, elapsed: Duration) -> Duration {
            guard let created = snapshot?.createdAt else { return elapsed }
            let seconds = watcher.wallClock().timeIntervalSince(created)
            guard let age = CheckedConversion.duration(seconds: Swift.max(0, seconds)) else { return elapsed }
            return Swift.max(age, elapsed)
        }

        private func expectedRemaining(_ job: Job, age: Duration) -> Duration {
            let model = job.schedule.schedule.model
            let done = model.cumulative(age)
            let target = model.quantile(done + (1 - done) / 2)
            return Swift.max(.zero, target - age)
        }
    }
}
