import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The tracker against the simulator over HTTP, on a real SQLite store. Time is a manual clock (which no test
/// moves: a pass makes its polls at once) and dates are the harness simulator's: ``SimulatorHarness/epoch`` at
/// offset zero, so nothing depends on the real date or the machine's speed.
@Suite("Tracker")
struct TrackerTests {
    /// The date every job is tracked at and every pass runs at.
    static let now = SimulatorHarness.epoch

    static func tracker(
        _ endpoint: SimulatorServer.Endpoint, store: any JobStore, bulk: Bool = true,
        refreshLinksAhead: Duration? = nil,
        pollConcurrency: Int = 16,
        clock: ManualClock = ManualClock()
    ) -> Tracker {
        let client = StatusClient(
            configuration: endpoint.configuration(apiKey: "sim-key"),
            retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20)),
            clock: clock,
            random: { 0.5 },
            wallClock: SimulatorHarness.wallClock(clock),
            logger: SimulatorHarness.quiet
        )
        return Tracker(
            store: store,
            client: client,
            downloader: Downloader(
                statusClient: client,
                transport: AsyncHTTPClientTransport(),
                retryPolicy: RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
            ),
            options: TrackerOptions(
                useBulkStatus: bulk, pollConcurrency: pollConcurrency, refreshLinksAhead: refreshLinksAhead)
        )
    }

    static func job(_ api: ProviderAPI, _ id: String, render: Duration = .zero, failed: Bool = false) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), queueTime: .zero, renderTime: render,
            outcome: failed ? SimulatedJob.documentedFailure(for: api) : .success, videoSize: 50_000)
    }

    @Test("one pass: v3 jobs through one bulk call, details only for those that finished; files downloaded once")
    func onePass() async throws {
        let jobs = [
            Self.job(.v3, "done"), Self.job(.v3, "busy", render: .seconds(600)), Self.job(.v3, "bad", failed: true),
            Self.job(.hera, "h"),
        ]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-track-" + UUID().uuidString
            for job in jobs {
                _ = try await store.track(TrackRequest(ref: job.ref, downloadDirectory: directory), at: Self.now)
            }
            let tracker = Self.tracker(endpoint, store: store)
            let events = EventLog()
            let polled = try await tracker.pollDue { await events.add($0) }
            #expect(polled == 4)
            #expect(await simulator.bulkRequestCount == 1)
            #expect(await simulator.statusRequestCount(for: JobRef(api: .v3, id: "busy")) == 0)
            #expect(await simulator.statusRequestCount(for: JobRef(api: .v3, id: "done")) == 1)
            #expect(await simulator.statusRequestCount(for: JobRef(api: .v3, id: "bad")) == 1)
            #expect(try await store.job(JobRef(api: .v3, id: "busy"))?.state == .processing)
            #expect(try await store.job(JobRef(api: .v3, id: "bad"))?.phase == .done)
            #expect(try await store.job(JobRef(api: .v3, id: "done"))?.phase == .downloading)
            #expect(await events.changes == 4)

            // Nothing is due again right away.
            #expect(try await tracker.pollDue() == 0)

            let saved = try await tracker.downloadPending { await events.add($0) }
            #expect(saved == 2)
            let done = try #require(try await store.job(JobRef(api: .v3, id: "done")))
            #expect(done.phase == .done)
            #expect(done.files.map(\.name) == ["heygen-done-video.mp4"])
            #expect(done.files.first?.bytes == 50_000)
            #expect(FileManager.default.fileExists(atPath: directory + "/heygen-done-video.mp4"))
            let served = await simulator.totalBytesServed
            #expect(try await tracker.downloadPending() == 0)
            #expect(await simulator.totalBytesServed == served)
        }
    }

    @Test("a job the provider does not know is reported and no longer polled")
    func unknownJob() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let ref = JobRef(api: .v3, id: "ghost")
            _ = try await store.track(TrackRequest(ref: ref), at: Self.now)
            let events = EventLog()
            _ = try await Self.tracker(endpoint, store: store).pollDue { await events.add($0) }
            let job = try #require(try await store.job(ref))
            #expect(job.phase == .done)
            #expect(job.lastError?.contains("has no job 'ghost'") == true)
            #expect(await events.failures == [.jobNotFound])
            #expect(await simulator.bulkRequestCount == 1)
        }
    }

    @Test("refreshing links: a finished job whose links expire soon is asked again; fresh links are left alone")
    func refreshLinks() async throws {
        let job = Self.job(.v1, "old-links")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            _ = try await store.track(TrackRequest(ref: job.ref), at: Self.now)
            await simulator.expireLinks(times: 1, for: job.ref)
            let tracker = Self.tracker(endpoint, store: store, refreshLinksAhead: .seconds(24 * 3600))
            #expect(try await tracker.pollDue() == 1)
            let stale = try #require(try await store.job(job.ref)?.snapshot?.assets.first?.expiresAt)
            #expect(stale < Self.now)
            #expect(try await tracker.refreshLinks() == 1)
            let fresh = try #require(try await store.job(job.ref)?.snapshot?.assets.first?.expiresAt)
            #expect(fresh > Self.now.addingTimeInterval(6 * 24 * 3600))
            #expect(try await store.job(job.ref)?.phase == .done)
            #expect(try await tracker.refreshLinks() == 0)
            #expect(await simulator.statusRequestCount(for: job.ref) == 2)
        }
    }

    @Test("without the bulk endpoint every job is asked one by one")
    func withoutBulk() async throws {
        let jobs = (0..<5).map { Self.job(.v3, "j\($0)", render: .seconds(600)) }
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            for job in jobs { _ = try await store.track(TrackRequest(ref: job.ref), at: Self.now) }
            #expect(try await Self.tracker(endpoint, store: store, bulk: false).pollDue() == 5)
            #expect(await simulator.bulkRequestCount == 0)
            for job in jobs { #expect(await simulator.statusRequestCount(for: job.ref) == 1) }
        }
    }

    @Test(
        "cancelled mid-pass: answers already received are recorded; a job asked but not answered stays due, unmarked"
    )
    func cancelledPass() async throws {
        let jobs = [Self.job(.hera, "first"), Self.job(.hera, "held"), Self.job(.hera, "never")]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            // Due in this order, and asked one at a time: the held job's request goes out only once the first
            // job's answer is in. The provider asks it to come back in a minute, and the pass is cancelled while its
            // client waits for that on the manual clock (which never moves), with no status for it yet.
            for (offset, job) in jobs.enumerated() {
                _ = try await store.track(
                    TrackRequest(ref: job.ref), at: Self.now.addingTimeInterval(Double(offset - 60)))
            }
            await simulator.inject(.rateLimited(retryAfter: 60), times: 1, for: jobs[1].ref)
            let clock = ManualClock()
            let tracker = Self.tracker(endpoint, store: store, bulk: false, pollConcurrency: 1, clock: clock)
            let events = EventLog()
            let pass = Task { try await tracker.pollDue { await events.add($0) } }
            let retry = await clock.nextSleep()
            #expect(retry.offset == .seconds(60))
            #expect(await simulator.statusRequestCount(for: jobs[1].ref) == 1)
            pass.cancel()
            _ = try await pass.value

            let first = try #require(try await store.job(jobs[0].ref))
            #expect(first.state == .succeeded)
            #expect(first.polls == 1)
            for job in jobs.dropFirst() {
                let stored = try #require(try await store.job(job.ref))
                #expect(stored.polls == 0, "\(job.ref)")
                #expect(stored.state == nil)
                #expect(stored.lastError == nil)
                #expect(stored.phase == .polling)
                #expect(stored.nextPollAt <= Self.now)
            }
            #expect(await simulator.statusRequestCount(for: jobs[2].ref) == 0)
            #expect(await events.changes == 1)
            #expect(await events.failures.isEmpty)
            #expect(clock.now.offset == .zero)
        }
    }
}

/// Collects tracker events for assertions.
actor EventLog {
    private(set) var events: [TrackerEvent] = []

    func add(_ event: TrackerEvent) { events.append(event) }

    var changes: Int { events.count { if case .changed = $0 { true } else { false } } }

    var failures: [ReelWatchError.Code] {
        events.compactMap { if case .pollFailed(_, let error) = $0 { error.code } else { nil } }
    }
}
