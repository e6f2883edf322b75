import Foundation
import ReelWatch
import ReelWatchStore

/// Follows one or many renders to the end: an `AsyncSequence` of ``JobProgress`` updates, one on every state
/// change (and on every poll when asked), a final one per job, and the end of the sequence once every job is final.
///
/// Built on the engine: a ``Tracker`` following the jobs (``TrackerScope/follow(_:)``) over a ``MemoryJobStore``,
/// so each job is polled on its own ``PollSchedule`` without waiting for any other, HeyGen v3 jobs through bulk
/// status, under the client's ``RateLimiter``. A poll that fails transiently never ends a watch: the job is polled
/// again on schedule, honouring `Retry-After`. The engine runs in a task of its own while the sequence is iterated;
/// cancelling the task that iterates stops it and ends the sequence with a `cancelled` error.
public struct Watcher: AsyncSequence, Sendable {
    /// One update about one job.
    public typealias Element = JobProgress

    /// The jobs watched, in the order given (duplicates removed).
    public let refs: [JobRef]
    private let client: StatusClient
    private let options: WatchOptions
    private let wallClock: (@Sendable () -> Date)?

    /// Creates a watcher.
    ///
    /// - Parameters:
    ///   - client: fetches statuses; its clock, jitter source and rate limiter drive the polling too.
    ///   - wallClock: the current date, to tell a job's age from its `created_at`; the client's by default.
    public init(
        refs: [JobRef],
        client: StatusClient,
        options: WatchOptions = WatchOptions(),
        wallClock: (@Sendable () -> Date)? = nil
    ) {
        var seen = Set<JobRef>()
        self.refs = refs.filter { seen.insert($0).inserted }
        self.client = client
        self.options = options
        self.wallClock = wallClock
    }

    /// Starts watching.
    public func makeAsyncIterator() -> Iterator {
        let tracker = Tracker(
            store: MemoryJobStore(), client: client, downloader: nil, options: TrackerOptions(watch: options),
            wallClock: wallClock)
        let plan = FollowPlan(refs: refs, timeout: options.timeout)
        let everyPoll = options.reportEveryPoll
        let (stream, continuation) = AsyncStream<Result<JobProgress, ReelWatchError>>.makeStream()
        let task = Task {
            do throws(ReelWatchError) {
                try await tracker.run(
                    .follow(plan),
                    report: { event in
                        guard case .polled(let progress, let changed) = event else { return }
                        if changed || progress.isFinal || everyPoll { continuation.yield(.success(progress)) }
                    })
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return Iterator(updates: stream.makeAsyncIterator(), engine: EngineTask(task))
    }

    /// Stops the engine's task when the last copy of the iterator goes away.
    final class EngineTask: Sendable {
        private let task: Task<Void, Never>

        init(_ task: Task<Void, Never>) { self.task = task }

        deinit { task.cancel() }
    }

    /// Produces the updates as the engine sends them.
    public struct Iterator: AsyncIteratorProtocol {
        private var updates: AsyncStream<Result<JobProgress, ReelWatchError>>.Iterator
        private let engine: EngineTask

        init(updates: AsyncStream<Result<JobProgress, ReelWatchError>>.Iterator, engine: EngineTask) {
            self.updates = updates
            self.engine = engine
        }

        /// The next update, or nil once every job is final.
        public mutating func next() async throws(ReelWatchError) -> JobProgress? {
            guard let update = await updates.next() else {
                if Task.isCancelled { throw ReelWatchError(code: .cancelled, message: "cancelled") }
                return nil
            }
            if Task.isCancelled { throw ReelWatchError(code: .cancelled, message: "cancelled") }
            return try update.get()
        }
    }
}
