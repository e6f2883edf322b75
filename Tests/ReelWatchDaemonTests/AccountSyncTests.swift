import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// ``AccountSync`` against the simulator's account lists over HTTP, a real SQLite store, and the manual clock of
/// ``EngineTests`` (which also gives the dates the sync counts back from).
@Suite("AccountSync", .timeLimit(.minutes(3)))
struct AccountSyncTests {
    static let hour = Duration.seconds(3600)

    static func job(
        _ api: ProviderAPI, _ id: String, folder: String? = nil, render: Duration = .seconds(10 * 3600),
        failed: Bool = false
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), title: "Render \(id)", queueTime: .zero, renderTime: render,
            outcome: failed ? SimulatedJob.documentedFailure(for: api) : .success, folderID: folder)
    }

    static func ref(_ id: String, _ api: ProviderAPI = .v3) -> JobRef { JobRef(api: api, id: id) }

    /// Adds `jobs` to the simulator one minute apart, moving the clock along with it.
    static func add(_ jobs: [SimulatedJob], _ simulator: Simulator, _ clock: ManualClock) async {
        for job in jobs {
            await simulator.add(job)
            await EngineTests.advance(clock, simulator, to: clock.now.advanced(by: .seconds(60)))
        }
    }

    @Test("pages newest first and stops at the first page older than --since; only the folder's, unfinished ones")
    func windowAndFolder() async throws {
        let clock = ManualClock()
        try await EngineTests.withSimulator([], clock: clock) { simulator, client in
            // Two days ago: old renders, in the folder or not. Then, within the last hour: new ones.
            await Self.add((1...5).map { Self.job(.v3, "old\($0)", folder: "f1") }, simulator, clock)
            await EngineTests.advance(clock, simulator, to: clock.now.advanced(by: Self.hour * 48))
            await Self.add(
                [
                    Self.job(.v3, "n1", folder: "f1"), Self.job(.v3, "x1", folder: "f2"),
                    Self.job(.v3, "n2", folder: "f1"), Self.job(.v3, "done", folder: "f1", render: .zero),
                    Self.job(.v3, "bad", folder: "f1", render: .zero, failed: true),
                    Self.job(.translate, "t1"), Self.job(.v3, "n3", folder: "f1"),
                ], simulator, clock)
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            var options = AccountSyncOptions(since: Self.hour * 24, folderID: "f1", label: "synced")
            options.pageLimit = 2
            let sync = AccountSync(client: client, store: store, options: options)
            let summary = try await sync.run()
            #expect(summary.added == [Self.ref("n3"), Self.ref("n2"), Self.ref("n1")])
            #expect(summary.failures.isEmpty)
            // Folder f1 newest first: [n3, bad] [done, n2] [n1, old5] [old4, old3] — the fourth page is all older.
            #expect(summary.pages == 4)
            #expect(await simulator.counts.listRequests == 4)
            #expect(summary.seen == 8)
            #expect(summary.skipped == 0)
            let job = try #require(try await store.job(Self.ref("n1")))
            #expect(job.label == "synced")
            #expect(job.downloadDirectory == nil)
            #expect(try await store.job(Self.ref("old5")) == nil)

            // Again: the same renders are tracked already, so nothing is added (and nothing changed).
            let again = try await AccountSync(
                client: client, store: store, options: AccountSyncOptions(since: Self.hour * 24, label: "other")
            ).run()
            #expect(again.added == [Self.ref("x1"), Self.ref("t1", .translate)])
            #expect(try await store.job(Self.ref("n1"))?.label == "synced")
            let third = try await AccountSync(
                client: client, store: store, options: AccountSyncOptions(since: Self.hour * 24)
            ).run()
            #expect(third.added.isEmpty)
            #expect(try await store.jobs(in: nil).count == 5)
        }
    }

    @Test("with a download directory, renders that succeeded are tracked too (to be downloaded); failed ones never")
    func downloadFinished() async throws {
        let clock = ManualClock()
        try await EngineTests.withSimulator([], clock: clock) { simulator, client in
            await Self.add(
                [
                    Self.job(.v3, "done", render: .zero), Self.job(.v3, "bad", render: .zero, failed: true),
                    Self.job(.v3, "running"), Self.job(.translate, "tdone", render: .zero),
                    Self.job(.translate, "tbad", render: .zero, failed: true),
                ], simulator, clock)
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-sync-\(UUID().uuidString)"
            let summary = try await AccountSync(
                client: client, store: store, options: AccountSyncOptions(downloadDirectory: directory)
            ).run()
            #expect(Set(summary.added) == [Self.ref("done"), Self.ref("running"), Self.ref("tdone", .translate)])
            #expect(try await store.job(Self.ref("done"))?.downloadDirectory == directory)
            #expect(try await store.job(Self.ref("bad")) == nil)
            #expect(try await store.job(Self.ref("tbad", .translate)) == nil)
        }
    }

    /// A client whose answers come from `answers`, with the wall clock at `now`.
    static func scripted(
        _ answers: [ScriptedTransport.Answer], now: Date
    ) throws -> (StatusClient, ScriptedTransport) {
        let transport = ScriptedTransport(answers)
        let client = StatusClient(
            configuration: try Configuration(environment: ["HEYGEN_API_KEY": "k-secret"]), transport: transport,
            retryPolicy: RetryPolicy(maxRetries: 0), clock: ManualClock(), wallClock: { now },
            logger: SimulatorHarness.quiet)
        return (client, transport)
    }

    @Test("a hostile list: unusable IDs and dates skipped, a repeated next_token stops it; what it found is tracked")
    func hostileList() async throws {
        let now = EngineTests.epoch
        let recent = Int(now.timeIntervalSince1970) - 60
        let long = String(repeating: "a", count: 600)
        let first = """
            {"data": [{"id": "..", "status": "processing", "created_at": \(recent)},
              {"id": "ok1", "status": "processing", "created_at": \(recent)},
              {"id": "bad\\u0001id", "status": "processing", "created_at": \(recent)},
              {"id": "huge", "status": "processing", "created_at": 1e300},
              {"id": "negative", "status": "processing", "created_at": -5},
              {"status": "processing", "created_at": \(recent)},
              {"id": "\(long)", "status": "processing", "created_at": \(recent)},
              {"id": "nostatus", "created_at": \(recent)}, 42, null],
             "has_more": true, "next_token": "t1"}
            """
        let second = """
            {"data": [{"id": "ok2", "status": "pending", "created_at": "\(recent)"}], "has_more": true,
             "next_token": "t1"}
            """
        let (client, transport) = try Self.scripted([.json(first), .json(second)], now: now)
        let store = try SQLiteJobStore(path: EngineTests.storePath())
        var options = AccountSyncOptions(apis: [.v3])
        options.pageLimit = 10
        let summary = try await AccountSync(client: client, store: store, options: options).run()
        #expect(summary.added == [Self.ref("ok1"), Self.ref("ok2")])
        #expect(summary.pages == 2)
        #expect(summary.seen == 11)
        #expect(summary.skipped == 9)
        let failure = try #require(summary.failures.first)
        #expect(failure.code == .invalidResponse)
        #expect(failure.message.contains("same next_token"))
        #expect(transport.requests.count == 2)
        #expect(transport.requests.last?.path == "/v3/videos?limit=10&token=t1")

        // A list that never ends is stopped at the page limit.
        let page = #"{"data": [{"id": "p", "status": "processing", "created_at": \#(recent)}], "has_more": true, "#
        let endless = (1...5).map { ScriptedTransport.Answer.json(page + #""next_token": "t\#($0)"}"#) }
        let (endlessClient, endlessTransport) = try Self.scripted(endless, now: now)
        options.maximumPages = 3
        let stopped = try await AccountSync(client: endlessClient, store: store, options: options).run()
        #expect(endlessTransport.requests.count == 3)
        #expect(stopped.failures.first?.message.contains("after 3 pages") == true)
        #expect(stopped.added == [Self.ref("p")])
    }

    @Test(
        "run --sync-every: the daemon's sync service picks up a render created after it started, and the engine polls it"
    )
    func daemonSync() async throws {
        let clock = ManualClock()
        try await EngineTests.withSimulator([Self.job(.v3, "early")], clock: clock) { simulator, client in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let news = WakeSignal()
            var trackerOptions = TrackerOptions(useBulkStatus: false)
            trackerOptions.idleInterval = .seconds(24 * 3600)
            let tracker = Tracker(store: store, client: client, downloader: nil, options: trackerOptions, news: news)
            let sync = AccountSync(client: client, store: store, options: AccountSyncOptions())
            let (summaries, continuation) = AsyncStream.makeStream(of: AccountSyncSummary.self)
            let service = AccountSyncService(
                sync: sync, every: .seconds(300), wake: news, logger: SimulatorHarness.quiet
            ) { continuation.yield($0) }
            let engine = Task { try await tracker.run(.daemon) }
            let syncing = Task { try await service.run() }
            var iterator = summaries.makeAsyncIterator()
            let first = try #require(await iterator.next())
            #expect(first.added == [Self.ref("early")])

            // A render created a minute later; the next sync, at five minutes, finds it.
            await EngineTests.advance(clock, simulator, to: clock.now.advanced(by: .seconds(60)))
            await simulator.add(Self.job(.v3, "late"))
            let syncAt = ManualClock.Instant(offset: .seconds(300))
            for _ in 0..<5000 where !clock.sleeperDeadlines.contains(syncAt) {
                try await Task.sleep(for: .milliseconds(2))
            }
            await EngineTests.advance(clock, simulator, to: syncAt)
            let second = try #require(await iterator.next())
            #expect(second.added == [Self.ref("late")])
            for _ in 0..<5000 where try await store.job(Self.ref("late"))?.state == nil {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(try await store.job(Self.ref("late"))?.state == .processing)
            #expect(await EngineTests.pollTimes(of: Self.ref("late"), simulator) == [.seconds(300)])
            #expect(try await store.job(Self.ref("early"))?.state == .processing)
            engine.cancel()
            syncing.cancel()
            _ = try await engine.value
            try await syncing.value
        }
    }

    @Test("cancelled in the middle of a 2,000-page list, a sync reads no further page and tracks what it read")
    func cancelledMidList() async throws {
        let clock = ManualClock()
        let jobs = (0..<2000).map { Self.job(.v3, "r\($0)") }
        try await EngineTests.withSimulator(jobs, clock: clock) { simulator, client in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            var options = AccountSyncOptions(apis: [.v3])
            options.pageLimit = 1
            options.maximumPages = 5000
            let sync = AccountSync(client: client, store: store, options: options)
            let running = Task { try await sync.run() }
            for _ in 0..<5000 where await simulator.counts.listRequests < 5 {
                try await Task.sleep(for: .milliseconds(1))
            }
            running.cancel()
            let summary = try await running.value
            #expect(summary.cancelled)
            #expect(summary.failures.isEmpty)
            let requests = await simulator.counts.listRequests
            #expect(requests < 50, "\(requests) of 2,000 pages asked for")
            // One render a page, every one new: each page read is tracked.
            #expect(summary.pages >= 4)
            #expect(summary.added.count == summary.pages)
            #expect(try await store.jobs(in: nil).count == summary.pages)
        }
    }
}
