import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTesting
import Synchronization
import Testing

/// The daemon (`run`, `serve`) over a store that fails: a passing failure is retried with backoff and logged once,
/// one for good ends the daemon with its error.
@Suite("The daemon over a failing store", .timeLimit(.minutes(3)))
struct TrackerServiceTests {
    /// A store whose `reclaimLeases()` — the first call of every engine run — throws `error` the first `failures`
    /// times; everything else goes to a real SQLite store.
    final class FailingStore: JobStore {
        let store: SQLiteJobStore
        let error: ReelWatchError
        private let left: Mutex<Int>

        init(failing failures: Int, with error: ReelWatchError) throws {
            store = try SQLiteJobStore(path: EngineTests.storePath())
            self.error = error
            left = Mutex(failures)
        }

        func reclaimLeases() async throws(ReelWatchError) -> Int {
            let fails = left.withLock { left in
                defer { left -= 1 }
                return left > 0
            }
            if fails { throw error }
            return try await store.reclaimLeases()
        }

        func track(_ request: TrackRequest, at now: Date) async throws(ReelWatchError) -> TrackedJob {
            try await store.track(request, at: now)
        }
        func track(all requests: [TrackRequest], at now: Date) async throws(ReelWatchError) -> Set<JobRef> {
            try await store.track(all: requests, at: now)
        }
        func phaseCounts() async throws(ReelWatchError) -> [TrackedJob.Phase: Int] { try await store.phaseCounts() }
        func untrack(_ ref: JobRef) async throws(ReelWatchError) -> Bool { try await store.untrack(ref) }
        func job(_ ref: JobRef) async throws(ReelWatchError) -> TrackedJob? { try await store.job(ref) }
        func rename(_ old: JobRef, to new: JobRef) async throws(ReelWatchError) -> Bool {
            try await store.rename(old, to: new)
        }
        func jobs(in phases: Set<TrackedJob.Phase>?, limit: Int?) async throws(ReelWatchError) -> [TrackedJob] {
            try await store.jobs(in: phases, limit: limit)
        }
        func dueJobs(at now: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
            try await store.dueJobs(at: now, limit: limit)
        }
        func takeDue(
            of api: ProviderAPI?, at now: Date, limit: Int, leaseUntil: Date
        ) async throws(ReelWatchError) -> [TrackedJob] {
            try await store.takeDue(of: api, at: now, limit: limit, leaseUntil: leaseUntil)
        }
        func release(_ refs: [JobRef], dueAt: Date) async throws(ReelWatchError) {
            try await store.release(refs, dueAt: dueAt)
        }
        func expiringLinks(before date: Date, limit: Int) async throws(ReelWatchError) -> [TrackedJob] {
            try await store.expiringLinks(before: date, limit: limit)
        }
        func nextDue() async throws(ReelWatchError) -> Date? { try await store.nextDue() }
        func record(_ updates: [PollUpdate]) async throws(ReelWatchError) { try await store.record(updates) }
        func plan(
            _ files: [TrackedFile], for ref: JobRef, at now: Date
        ) async throws(ReelWatchError) -> [TrackedFile] {
            try await store.plan(files, for: ref, at: now)
        }
        func update(_ file: TrackedFile, of ref: JobRef, at now: Date) async throws(ReelWatchError) {
            try await store.update(file, of: ref, at: now)
        }
        func history(of ref: JobRef) async throws(ReelWatchError) -> [StateTransition] {
            try await store.history(of: ref)
        }
        func recordDelivery(_ event: DeliveredEvent) async throws(ReelWatchError) -> Bool {
            try await store.recordDelivery(event)
        }
        func deliveredEventCount() async throws(ReelWatchError) -> Int { try await store.deliveredEventCount() }
        func makeDue(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
            try await store.makeDue(ref, at: now)
        }
        func reopen(_ ref: JobRef, at now: Date) async throws(ReelWatchError) -> TrackedJob? {
            try await store.reopen(ref, at: now)
        }
        func callbackToken() async throws(ReelWatchError) -> String { try await store.callbackToken() }
    }

    static let job = SimulatedJob(ref: JobRef(api: .hera, id: "done"), queueTime: .zero, renderTime: .zero)

    @Test(
        "a store that fails transiently (descriptors run out) five times: one warning, a backoff of 0.5, 1, 2, 4, 5 s (1 s doubling up to 10 s, jitter 0.5), then the job is polled"
    )
    func transientFailures() async throws {
        let clock = ManualClock()
        try await EngineTests.withSimulator([Self.job], clock: clock) { simulator, client in
            var error = ReelWatchError(
                code: .storeUnavailable,
                message: "the job store x: cannot be opened (missing directory or no permission)"
            )
            error.transient = true
            let store = try FailingStore(failing: 5, with: error)
            _ = try await store.track(TrackRequest(ref: Self.job.ref), at: client.wallClock())
            let log = RecordedLog()
            let service = Tracker(store: store, client: client, downloader: nil).service(log: log)
            let daemon = Task { try await service.run() }
            var pauses: [Duration] = []
            for _ in 0..<5 {
                let wake = await clock.nextSleep()
                pauses.append(clock.now.duration(to: wake))
                clock.advance(to: wake)
            }
            #expect(pauses == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5)])
            for _ in 0..<5000 where try await store.job(Self.job.ref)?.state != .succeeded {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(try await store.job(Self.job.ref)?.state == .succeeded)
            #expect(await simulator.statusRequestCount(for: Self.job.ref) == 1)
            daemon.cancel()
            try await daemon.value
            let lines = log.entries.filter { $0.level >= .warning }
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.message == "the engine stopped on a passing error; trying again")
            #expect(lines.first?.metadata["error"] == error.description)
        }
    }

    @Test("a store that fails for good (corrupt, deleted) ends the daemon with its error, at once")
    func persistentFailure() async throws {
        let clock = ManualClock()
        try await EngineTests.withSimulator([Self.job], clock: clock) { _, client in
            let error = ReelWatchError(
                code: .storeUnavailable,
                message: "the job store x: not a SQLite database (corrupt, or another kind of file)"
            )
            let store = try FailingStore(failing: .max, with: error)
            let service = Tracker(store: store, client: client, downloader: nil).service(log: RecordedLog())
            let ended = Mutex<Result<Void, any Error>?>(nil)
            let daemon = Task {
                do {
                    try await service.run()
                    ended.withLock { $0 = .success(()) }
                } catch {
                    ended.withLock { $0 = .failure(error) }
                }
            }
            // The old daemon logged the error and slept, to fail again a second later, for ever.
            for _ in 0..<2000 where ended.withLock({ $0 == nil }) && clock.sleeperCount == 0 {
                try await Task.sleep(for: .milliseconds(2))
            }
            daemon.cancel()
            await daemon.value
            let result = try #require(ended.withLock { $0 })
            #expect(throws: error) { try result.get() }
        }
    }

    @Test("a SQLite store whose file was deleted fails for good, not transiently")
    func deletedStore() async throws {
        let path = EngineTests.storePath()
        let store = try SQLiteJobStore(path: path)
        for file in [path, path + "-wal", path + "-shm"] { unlink(file) }
        let error = await #expect(throws: ReelWatchError.self) { _ = try await store.nextDue() }
        #expect(error?.code == .storeUnavailable)
        #expect(error?.transient == false)
    }
}

extension Tracker {
    /// The daemon over this engine, polling only, looking at the store every second, logging to `log`.
    fileprivate func service(log: RecordedLog) -> TrackerService {
        var options = TrackerOptions(watch: EngineTests.longOptions)
        options.idleInterval = .seconds(1)
        return TrackerService(
            tracker: with(options: options), logger: Logger(label: "test", factory: { _ in log.handler }))
    }
}
