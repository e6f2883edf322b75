import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Synchronization
import Testing

/// The one engine, as `wait` (a ``Watcher``, which follows jobs over an in-memory store) and as `run` (the daemon
/// over a SQLite store) drive it: against the simulator over HTTP, on a manual clock that also drives the
/// simulator's time and the dates the engine records, so that poll times can be asserted exactly. Three minutes a
/// test: under the whole suite on two cores the clock-driving tests take 40–55 s, too close to one.
@Suite("Engine", .timeLimit(.minutes(3)))
struct EngineTests {
    /// A fixed date for simulated time zero: the simulator's `created_at` and the engine's dates agree.
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// Runs a simulator with frozen time holding `jobs` on a loopback port, and `body` with a client on `clock`.
    static func withSimulator<Result: Sendable>(
        _ jobs: [SimulatedJob],
        clock: ManualClock,
        retries: Int = 0,
        random: @escaping @Sendable () -> Double = { 0.5 },
        _ body: @Sendable (Simulator, StatusClient) async throws -> Result
    ) async throws -> Result {
        let simulator = Simulator(timeScale: 0, epoch: epoch)
        await simulator.add(jobs)
        return try await SimulatorServer(simulator: simulator, logger: SimulatorHarness.quiet).withRunning {
            endpoint in
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey),
                retryPolicy: RetryPolicy(maxRetries: retries, baseDelay: .seconds(1), maxDelay: .seconds(8)),
                clock: clock,
                random: random,
                wallClock: { epoch.addingTimeInterval(clock.now.offset.secondsValue) },
                logger: SimulatorHarness.quiet
            )
            return try await body(simulator, client)
        }
    }

    /// A fresh store path in a temporary directory.
    static func storePath() -> String {
        NSTemporaryDirectory() + "reelwatch-engine-\(UUID().uuidString)/reelwatch.sqlite"
    }

    /// Moves the clock and the simulator to `instant`.
    static func advance(_ clock: ManualClock, _ simulator: Simulator, to instant: ManualClock.Instant) async {
        await simulator.advance(by: clock.now.duration(to: instant))
        clock.advance(to: instant)
    }

    /// Advances to the earliest sleep each time one starts, skipping sleeps longer than `horizon` (the lease of a
    /// poll in flight), until cancelled.
    static func drive(
        _ clock: ManualClock, _ simulator: Simulator, horizon: Duration = .seconds(24 * 3600)
    ) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                guard let next = clock.sleeperDeadlines.first, clock.now.duration(to: next) < horizon else {
                    try? await Task.sleep(for: .milliseconds(1))
                    continue
                }
                await advance(clock, simulator, to: next)
            }
        }
    }

    /// When the simulator was asked about `ref`, in simulated time.
    static func pollTimes(of ref: JobRef, _ simulator: Simulator) async -> [Duration] {
        await simulator.requests.filter { $0.ref == ref }.map(\.at)
    }

    /// The times `schedule` polls a job that runs longer than `until`, from its first poll at zero.
    static func scheduledTimes(_ schedule: PollSchedule, until end: Duration, timeout: Duration) -> [Duration] {
        var cursor = PollSchedule.Cursor(schedule)
        var times: [Duration] = [.zero]
        var now = Duration.zero
        while now < end {
            guard let delay = cursor.next(jobAge: now, untilDeadline: timeout - now, unitRandom: 0.5) else { break }
            now += delay
            times.append(now)
        }
        return times
    }

    @Test("one job held a minute by Retry-After holds up no other: the other's polls and success come on schedule")
    func noHeadOfLineBlocking() async throws {
        let options = WatchOptions(timeout: .seconds(600), minDelay: .seconds(5), maxDelay: .seconds(10))
        let schedule = options.schedule(for: .hera)
        // B succeeds at its third poll; every poll of B comes before A's retry.
        let expected = Array(Self.scheduledTimes(schedule, until: .seconds(40), timeout: .seconds(600)).prefix(3))
        try #require(expected.count == 3 && expected[2] < .seconds(60))
        let stuck = SimulatedJob(ref: JobRef(api: .hera, id: "stuck"), queueTime: .zero, renderTime: .seconds(3600))
        let quick = SimulatedJob(ref: JobRef(api: .hera, id: "quick"), queueTime: .zero, renderTime: expected[2])
        let clock = ManualClock()
        try await Self.withSimulator([stuck, quick], clock: clock, retries: 2) { simulator, client in
            await simulator.inject(.rateLimited(retryAfter: 60), times: 1, for: stuck.ref)
            let finals = EngineFinals()
            let updates = Task {
                for try await progress in Watcher(refs: [stuck.ref, quick.ref], client: client, options: options)
                where progress.isFinal {
                    await finals.add(progress)
                }
            }
            // A sleeps in its client's retry (until 60 s) while B's schedule runs: two sleepers each time.
            for _ in 0..<2 {
                let deadlines = await clock.sleepers(2)
                try #require(deadlines.count == 2 && deadlines[1].offset == .seconds(60))
                await Self.advance(clock, simulator, to: deadlines[0])
            }
            // B is done, and said so at once: only A's retry sleeps.
            let final = await finals.first()
            #expect(final?.ref == quick.ref)
            #expect(final?.outcome == .succeeded)
            #expect(final?.elapsed == expected[2])
            let last = await clock.sleepers(1)
            #expect(last.map(\.offset) == [.seconds(60)])
            let quickTimes = await Self.pollTimes(of: quick.ref, simulator)
            #expect(quickTimes == expected, "\(quickTimes) != \(expected)")
            #expect(await Self.pollTimes(of: stuck.ref, simulator) == [.zero])
            updates.cancel()
            _ = try? await updates.value
        }
    }

    @Test("the final update of a job comes as soon as it ends, while another job's poll is held")
    func finalUpdateNotHeld() async throws {
        let options = WatchOptions(timeout: .seconds(600), minDelay: .seconds(5), maxDelay: .seconds(10))
        let stuck = SimulatedJob(ref: JobRef(api: .hera, id: "stuck"), queueTime: .zero, renderTime: .seconds(3600))
        let done = SimulatorHarness.done(.hera, "done")
        let clock = ManualClock()
        try await Self.withSimulator([stuck, done], clock: clock, retries: 2) { simulator, client in
            await simulator.inject(.rateLimited(retryAfter: 60), times: 1, for: stuck.ref)
            var iterator = Watcher(refs: [stuck.ref, done.ref], client: client, options: options)
                .makeAsyncIterator()
            var first: JobProgress?
            repeat { first = try await iterator.next() } while first.map({ !$0.isFinal }) ?? false
            #expect(first?.ref == done.ref)
            #expect(first?.outcome == .succeeded)
            #expect(clock.now.offset == .zero)
        }
    }

    /// Follows `jobs` with a `Watcher` on a manual clock that drives the simulator until every one succeeded;
    /// returns every request the simulator received.
    static func waitForAll(_ jobs: [SimulatedJob]) async throws -> [SimulatorRequest] {
        let clock = ManualClock()
        return try await Self.withSimulator(jobs, clock: clock) { simulator, client in
            let driver = Self.drive(clock, simulator)
            defer { driver.cancel() }
            var finals = 0
            for try await progress in Watcher(refs: jobs.map(\.ref), client: client) where progress.isFinal {
                #expect(progress.outcome == .succeeded)
                finals += 1
            }
            #expect(finals == jobs.count)
            return await simulator.requests
        }
    }

    @Test("wait over 250 HeyGen v3 refs: 3 bulk calls a round, one detail call per finished job")
    func bulkUnderWait() async throws {
        let jobs = (0..<250).map {
            SimulatedJob(ref: JobRef(api: .v3, id: "v\($0)"), queueTime: .zero, renderTime: .seconds(90))
        }
        let requests = try await Self.waitForAll(jobs)
        let bulk = requests.filter { $0.path == "/v3/videos/statuses" }
        let rounds = Set(bulk.map(\.at))
        #expect(rounds.count >= 2)
        // 250 IDs are 3 bulk calls a round (fewer when a round finds fewer due: the test's clock driver may move
        // time on while a round's last call is still on its way), never one call per job.
        for round in rounds { #expect((1...3).contains(bulk.count { $0.at == round })) }
        #expect(bulk.count <= 3 * rounds.count)
        for job in jobs { #expect(requests.count { $0.ref == job.ref } == 1) }
        #expect(requests.count == bulk.count + 250)
    }

    @Test(
        "wait over 150 v3 translations and 50 v3 videos: bulk calls per API (a few a round, not one a job), one detail call each"
    )
    func bulkTranslationsUnderWait() async throws {
        let translations = (0..<150).map {
            SimulatedJob(ref: JobRef(api: .translate, id: "t\($0)"), queueTime: .zero, renderTime: .seconds(900))
        }
        let videos = (0..<50).map {
            SimulatedJob(ref: JobRef(api: .v3, id: "v\($0)"), queueTime: .zero, renderTime: .seconds(90))
        }
        let jobs = translations + videos
        let requests = try await Self.waitForAll(jobs)
        let translationBulk = requests.filter { $0.path == "/v3/video-translations/statuses" }
        let videoBulk = requests.filter { $0.path == "/v3/videos/statuses" }
        let translationRounds = Set(translationBulk.map(\.at))
        #expect(translationRounds.count >= 2)
        // 150 IDs take 2 bulk calls a round (one when the round finds fewer than 101 due; a third when the due jobs
        // arrive in two batches at one instant), never one per job.
        for round in translationRounds {
            #expect((1...3).contains(translationBulk.count { $0.at == round }))
        }
        #expect(videoBulk.count == Set(videoBulk.map(\.at)).count)
        for job in jobs { #expect(requests.count { $0.ref == job.ref } == 1) }
        #expect(requests.count == translationBulk.count + videoBulk.count + 200)
    }

    /// A Hera job that runs far past its model's window: polled in the window, then backing off.
    static let longJob = SimulatedJob(
        ref: JobRef(api: .hera, id: "long"), queueTime: .zero, renderTime: .seconds(1800))
    static let longOptions = WatchOptions(timeout: .seconds(7200), minDelay: .seconds(5), maxDelay: .seconds(300))

    /// The daemon over `store`, polling only (no downloads), looking at the store once a day.
    static func daemon(_ store: any JobStore, client: StatusClient) -> Tracker {
        var options = TrackerOptions(watch: longOptions)
        options.idleInterval = .seconds(24 * 3600)
        options.lease = .seconds(48 * 3600)
        return Tracker(store: store, client: client, downloader: nil, options: options)
    }

    @Test("the same job, with the same answers, is polled at the same times by wait and by run (backoff included)")
    func waitAndRunAgree() async throws {
        let clock = ManualClock()
        let waited = try await Self.withSimulator([Self.longJob], clock: clock) { simulator, client in
            let driver = Self.drive(clock, simulator)
            defer { driver.cancel() }
            for try await progress in Watcher(refs: [Self.longJob.ref], client: client, options: Self.longOptions)
            where progress.isFinal {
                #expect(progress.outcome == .succeeded)
            }
            return await Self.pollTimes(of: Self.longJob.ref, simulator)
        }
        let daemonClock = ManualClock()
        let ran = try await Self.withSimulator([Self.longJob], clock: daemonClock) { simulator, client in
            let clock = daemonClock
            let store = try SQLiteJobStore(path: Self.storePath())
            _ = try await store.track(TrackRequest(ref: Self.longJob.ref), at: client.wallClock())
            let daemon = Task { try await Self.daemon(store, client: client).run(.daemon) }
            let driver = Self.drive(clock, simulator)
            defer { driver.cancel() }
            for _ in 0..<5000 where try await store.job(Self.longJob.ref)?.state != .succeeded {
                try await Task.sleep(for: .milliseconds(2))
            }
            daemon.cancel()
            _ = try await daemon.value
            return await Self.pollTimes(of: Self.longJob.ref, simulator)
        }
        let backoff = try #require(ran.indices.dropFirst().first { ran[$0] - ran[$0 - 1] > .seconds(30) })
        #expect(backoff < ran.count - 1, "the job is polled in backoff more than once")
        #expect(waited == ran)
    }

    @Test("a daemon restarted mid-backoff goes on with the job's backoff where it was")
    func restartMidBackoff() async throws {
        let clock = ManualClock()
        let straight = try await Self.withSimulator([Self.longJob], clock: clock) { simulator, client in
            let driver = Self.drive(clock, simulator)
            defer { driver.cancel() }
            for try await _ in Watcher(refs: [Self.longJob.ref], client: client, options: Self.longOptions) {}
            return await Self.pollTimes(of: Self.longJob.ref, simulator)
        }
        let restartClock = ManualClock()
        let restarted = try await Self.withSimulator([Self.longJob], clock: restartClock) { simulator, client in
            let clock = restartClock
            let path = Self.storePath()
            let store = try SQLiteJobStore(path: path)
            _ = try await store.track(TrackRequest(ref: Self.longJob.ref), at: client.wallClock())
            // The first daemon stops once the job has had two polls in backoff.
            let first = Task { try await Self.daemon(store, client: client).run(.daemon) }
            let driver = Self.drive(clock, simulator)
            for _ in 0..<5000 where (try await store.job(Self.longJob.ref)?.backoffPolls ?? 0) < 2 {
                try await Task.sleep(for: .milliseconds(2))
            }
            try #require(try await store.job(Self.longJob.ref)?.backoffPolls ?? 0 >= 2)
            driver.cancel()
            // Stopped while it waits for the job's next poll (not in the middle of one).
            for _ in 0..<10000
            where clock.sleeperDeadlines.first.map({ clock.now.duration(to: $0) >= .seconds(24 * 3600) }) ?? true {
                try await Task.sleep(for: .milliseconds(1))
            }
            first.cancel()
            _ = try await first.value
            #expect(clock.sleeperCount == 0)
            // A new process: the store opened again, the engine started afresh at the same moment.
            let reopened = try SQLiteJobStore(path: path)
            let second = Task { try await Self.daemon(reopened, client: client).run(.daemon) }
            let again = Self.drive(clock, simulator)
            defer { again.cancel() }
            for _ in 0..<5000 where try await reopened.job(Self.longJob.ref)?.state != .succeeded {
                try await Task.sleep(for: .milliseconds(2))
            }
            second.cancel()
            _ = try await second.value
            return await Self.pollTimes(of: Self.longJob.ref, simulator)
        }
        #expect(restarted == straight)
    }

    /// Numbers in `0..<1` from a fixed seed (a 64-bit LCG): jitter that differs from poll to poll, the same every run.
    static func seededRandom(_ seed: UInt64) -> @Sendable () -> Double {
        let state = Mutex(seed)
        return {
            state.withLock { value in
                value = value &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(value >> 11) / Double(UInt64(1) << 53)
            }
        }
    }

    @Test("run over 200 v3 jobs: a bulk request carries every job of its API due within the lag target (>= 50 IDs)")
    func bulkUnderRun() async throws {
        let jobs = (0..<200).map {
            SimulatedJob(ref: JobRef(api: .v3, id: "r\($0)"), queueTime: .zero, renderTime: .seconds(3600))
        }
        let clock = ManualClock()
        let counts = try await Self.withSimulator(jobs, clock: clock, random: Self.seededRandom(2026)) {
            simulator, client in
            let store = try SQLiteJobStore(path: Self.storePath())
            _ = try await store.track(all: jobs.map { TrackRequest(ref: $0.ref) }, at: client.wallClock())
            // As `run --max-delay 2s` does: each job on its own jittered schedule, at most 2 s apart.
            var options = TrackerOptions(watch: WatchOptions(minDelay: .milliseconds(500), maxDelay: .seconds(2)))
            options.idleInterval = .seconds(24 * 3600)
            options.lease = .seconds(48 * 3600)
            let tracker = Tracker(store: store, client: client, downloader: nil, options: options)
            let daemon = Task { try await tracker.run(.daemon) }
            let driver = Self.drive(clock, simulator)
            for _ in 0..<20000 where clock.now.offset < .seconds(60) {
                try await Task.sleep(for: .milliseconds(1))
            }
            driver.cancel()
            daemon.cancel()
            _ = try await daemon.value
            #expect(clock.now.offset >= .seconds(60))
            return await simulator.counts
        }
        #expect(counts.statusRequests == 0, "no job finished: every poll is a bulk one")
        let perRequest = Double(counts.bulkIDs) / Double(max(counts.bulkRequests, 1))
        // A round every ~2 s for a minute, two requests a round (100 IDs at most each): not one request a job.
        #expect(counts.bulkRequests >= 30, "\(counts.bulkRequests) bulk requests")
        #expect(perRequest >= 50, "\(counts.bulkIDs) IDs in \(counts.bulkRequests) bulk requests")
    }

    @Test("a daemon started after one that died holding leases polls those jobs at once, not when the leases end")
    func reclaimsDeadWorkersLeases() async throws {
        let job = SimulatedJob(ref: JobRef(api: .hera, id: "leased"), queueTime: .zero, renderTime: .seconds(3600))
        let clock = ManualClock()
        let times = try await Self.withSimulator([job], clock: clock) { simulator, client in
            let path = Self.storePath()
            let store = try SQLiteJobStore(path: path)
            let now = client.wallClock()
            _ = try await store.track(TrackRequest(ref: job.ref), at: now)
            // The worker before took the job as its engine does (leased for a minute) and was killed (SIGKILL)
            // before it recorded an answer.
            let taken = try await store.takeDue(at: now, limit: 10, leaseUntil: now.addingTimeInterval(60))
            try #require(taken.map(\.ref) == [job.ref])
            // The next worker, a new process on the same file (its own leases long, so that the clock driver never
            // moves time on while its poll is on its way).
            let reopened = try SQLiteJobStore(path: path)
            let daemon = Task { try await Self.daemon(reopened, client: client).run(.daemon) }
            let driver = Self.drive(clock, simulator)
            for _ in 0..<5000 where await simulator.statusRequestCount(for: job.ref) == 0 {
                try await Task.sleep(for: .milliseconds(2))
            }
            driver.cancel()
            daemon.cancel()
            _ = try await daemon.value
            #expect(try await reopened.job(job.ref)?.polls == 1)
            return await Self.pollTimes(of: job.ref, simulator)
        }
        #expect(times.first == .zero, "first poll at \(times.first.map { "\($0)" } ?? "never"), not at once")
    }

    @Test(
        "a poll that outlives its lease: the lease is renewed for the lease's length each time it runs out (nobody else takes the job), the job is not asked twice"
    )
    func renewsLeaseOfPollInFlight() async throws {
        let job = SimulatedJob(ref: JobRef(api: .hera, id: "held"), queueTime: .zero, renderTime: .seconds(3600))
        let clock = ManualClock()
        try await Self.withSimulator([job], clock: clock) { simulator, client in
            // The first status answer takes 20 real seconds (room for a loaded machine to drive the four rounds):
            // meanwhile the engine's clock runs past four leases.
            await simulator.inject(.slow(.seconds(20)), times: 1, for: job.ref)
            let path = Self.storePath()
            let store = try SQLiteJobStore(path: path)
            let start = client.wallClock()
            _ = try await store.track(TrackRequest(ref: job.ref), at: start)
            var options = TrackerOptions(watch: Self.longOptions)
            options.idleInterval = .seconds(24 * 3600)
            let lease = options.lease
            try #require(lease == .seconds(60))
            let daemon = Task {
                try await Tracker(store: store, client: client, downloader: nil, options: options).run(.daemon)
            }
            // Another worker on the same file, taking what is due as an engine does.
            let other = try SQLiteJobStore(path: path)
            for _ in 0..<2000 where await simulator.statusRequestCount(for: job.ref) == 0 {
                try await Task.sleep(for: .milliseconds(2))
            }
            for round in 1...4 {
                let end = lease * round
                // The engine asleep until the lease ends (the poll is on its way, in real time).
                for _ in 0..<2000 where clock.sleeperDeadlines.map(\.offset) != [end] {
                    try await Task.sleep(for: .milliseconds(2))
                }
                try #require(
                    clock.sleeperDeadlines.map(\.offset) == [end], "round \(round): \(clock.sleeperDeadlines)")
                // Leased until then: renewed from the moment the last lease ran out, by the lease's length.
                let leased = try #require(try await store.job(job.ref))
                #expect(leased.polls == 0, "round \(round): answered already (make the answer slower)")
                #expect(leased.nextPollAt == start.addingTimeInterval(end.secondsValue), "round \(round)")
                #expect(await simulator.statusRequestCount(for: job.ref) == 1, "round \(round): asked again")
                let justBefore = start.addingTimeInterval(end.secondsValue - 1)
                let taken = try await other.takeDue(
                    at: justBefore, limit: 10, leaseUntil: justBefore.addingTimeInterval(lease.secondsValue))
                #expect(taken.isEmpty, "round \(round): another worker took the job while its poll was in flight")
                if round < 4 { await Self.advance(clock, simulator, to: clock.sleeperDeadlines[0]) }
            }
            // The answer comes: one poll, recorded.
            for _ in 0..<15000 where try await store.job(job.ref)?.polls != 1 {
                try await Task.sleep(for: .milliseconds(2))
            }
            daemon.cancel()
            _ = try await daemon.value
            #expect(try await store.job(job.ref)?.polls == 1)
            #expect(await Self.pollTimes(of: job.ref, simulator) == [.zero])
        }
    }
}

/// The final updates a watch delivered, as they came.
actor EngineFinals {
    private var updates: [JobProgress] = []

    func add(_ progress: JobProgress) { updates.append(progress) }

    /// The first final update, waiting up to ten seconds for it.
    func first() async -> JobProgress? {
        for _ in 0..<2000 where updates.isEmpty { try? await Task.sleep(for: .milliseconds(5)) }
        return updates.first
    }
}
