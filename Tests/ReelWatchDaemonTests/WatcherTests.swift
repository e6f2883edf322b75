import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The watcher and `wait(for:timeout:)` against the simulator over HTTP, on a manual clock that also drives
/// the simulator's time.
@Suite("Watcher and wait", .timeLimit(.minutes(3)))
struct WatcherTests {
    /// Moves the clock (and the simulator with it) to each sleep the code under test starts, until cancelled.
    static func drive(_ clock: ManualClock, _ simulator: Simulator) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                let next = await clock.nextSleep()
                if Task.isCancelled { return }
                await simulator.advance(by: clock.now.duration(to: next))
                clock.advance(to: next)
            }
        }
    }

    /// Waits for `ref` while driving the clock and the simulator, and returns how the wait ended.
    static func wait(
        for ref: JobRef,
        timeout: Duration,
        client: StatusClient,
        clock: ManualClock,
        simulator: Simulator
    ) async -> Result<JobSnapshot, WaitError> {
        let driver = drive(clock, simulator)
        defer { driver.cancel() }
        do throws(WaitError) {
            return .success(try await client.wait(for: ref, timeout: timeout))
        } catch {
            return .failure(error)
        }
    }

    static func client(_ endpoint: SimulatorServer.Endpoint, clock: ManualClock, retries: Int = 0) -> StatusClient {
        SimulatorHarness.client(endpoint, clock: clock, retries: retries)
    }

    @Test("a render that succeeds returns its final snapshot; polls follow the schedule")
    func success() async throws {
        let job = SimulatedJob(ref: JobRef(api: .hera, id: "h"), queueTime: .seconds(10), renderTime: .seconds(50))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let clock = ManualClock()
            let client = Self.client(endpoint, clock: clock)
            let result = await Self.wait(
                for: job.ref, timeout: .seconds(600), client: client, clock: clock, simulator: simulator)
            let snapshot = try result.get()
            #expect(snapshot.state == .succeeded)
            // Hera's lag target is 5 s: the render ends at 60 s, so it is seen at most 5 s later.
            #expect(clock.now.offset >= .seconds(60) && clock.now.offset <= .seconds(65))
        }
    }

    @Test("a failed render throws, carrying the provider's reason, the last snapshot and the polls")
    func failure() async throws {
        let job = SimulatedJob(
            ref: JobRef(api: .v3, id: "f"),
            queueTime: .zero,
            renderTime: .seconds(400),
            outcome: SimulatedJob.documentedFailure(for: .v3)
        )
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let clock = ManualClock()
            let client = Self.client(endpoint, clock: clock)
            let result = await Self.wait(
                for: job.ref,
                timeout: .seconds(1800),
                client: client,
                clock: clock,
                simulator: simulator
            )
            let error = try #require(throws: WaitError.self) { try result.get() }
            #expect(error.reason == .failed)
            #expect(
                error.lastSnapshot?.failure
                    == JobFailure(code: "script_too_long", message: "Script too long for selected avatar"))
            // Bulk status calls while it renders, then the detail call that brings the failure in full.
            let asked = await simulator.statusRequestCount(for: job.ref)
            #expect(asked == 1)
            #expect(error.polls == asked + (await simulator.bulkRequestCount))
            #expect(
                error.description == "heygen:f: render failed: Script too long for selected avatar (script_too_long)")
        }
    }

    @Test("the deadline ends the wait with its last poll exactly at the deadline, carrying the last snapshot")
    func timeout() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v1, id: "slow"), queueTime: .zero, renderTime: .seconds(3600))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let clock = ManualClock()
            let client = Self.client(endpoint, clock: clock)
            let result = await Self.wait(
                for: job.ref,
                timeout: .seconds(300),
                client: client,
                clock: clock,
                simulator: simulator
            )
            let error = try #require(throws: WaitError.self) { try result.get() }
            #expect(error.reason == .timedOut)
            #expect(error.lastSnapshot?.state == .processing)
            #expect(clock.now.offset == .seconds(300))
            // Every 58.5 s (60 s less the fixed jitter): 0, 58.5, 117, 175.5, 234, 292.5, then 300, the deadline.
            #expect(error.polls == 7)
            #expect(await simulator.statusRequestCount(for: job.ref) == 7)
        }
    }

    @Test("transient failures never end a wait; an unknown job does, at once")
    func transientAndFatal() async throws {
        let job = SimulatedJob(ref: JobRef(api: .hera, id: "t"), queueTime: .zero, renderTime: .seconds(30))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 502), times: 4, for: job.ref)
            let clock = ManualClock()
            let client = Self.client(endpoint, clock: clock)
            let result = await Self.wait(
                for: job.ref, timeout: .seconds(600), client: client, clock: clock, simulator: simulator)
            #expect(try result.get().state == .succeeded)

            let missing = try await #require(throws: WaitError.self) {
                try await client.wait(for: JobRef(api: .hera, id: "missing"), timeout: .seconds(600))
            }
            guard case .error(let error) = missing.reason else {
                Issue.record("expected an error, got \(missing.reason)")
                return
            }
            #expect(error.code == .jobNotFound)
            #expect(missing.polls == 1)
        }
    }

    @Test("cancelling a wait stops it promptly while it sleeps")
    func cancellation() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "c"), queueTime: .zero, renderTime: .seconds(3600))
        try await SimulatorHarness.run([job]) { _, endpoint in
            let clock = ManualClock()
            let client = Self.client(endpoint, clock: clock)
            let task = Task { try await client.wait(for: job.ref, timeout: .seconds(1800)) }
            _ = await clock.nextSleep()
            task.cancel()
            let error = try await #require(throws: WaitError.self) { try await task.value }
            #expect(error.reason == .error(ReelWatchError(code: .cancelled, message: "cancelled")))
            #expect(error.lastSnapshot?.state == .processing)
            #expect(clock.sleeperCount == 0)
        }
    }

    @Test("the rate limiter is shared by every job: a burst goes at once, the rest wait for tokens")
    func sharedRateLimiter() async throws {
        let jobs = (0..<5).map { SimulatorHarness.done(.hera, "r\($0)") }
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let clock = ManualClock()
            let limiter = RateLimiter(rate: 1, burst: 2, clock: clock)
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey),
                clock: clock,
                random: { 0.5 },
                wallClock: SimulatorHarness.wallClock(clock),
                rateLimiter: limiter,
                logger: SimulatorHarness.quiet
            )
            let task = Task {
                var finals = 0
                for try await progress in Watcher(refs: jobs.map(\.ref), client: client) where progress.isFinal {
                    finals += 1
                }
                return finals
            }
            // Two tokens go at once; the other three requests each wait for the next token.
            #expect(await simulator.requests.count <= 2)
            var waits: [Duration] = []
            for _ in 0..<3 {
                let deadline = await clock.nextSleep()
                waits.append(clock.now.duration(to: deadline))
                clock.advance(by: .seconds(1))
            }
            #expect(waits.allSatisfy { $0 > .zero && $0 <= .seconds(1) })
            let finals = try await task.value
            #expect(finals == 5)
            #expect(clock.now.offset == .seconds(3))
            #expect(await simulator.requests.count == 5)
        }
    }
}
