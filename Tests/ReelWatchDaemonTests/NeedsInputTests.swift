import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// A job that waits for a person (`needs_input`) and one cancelled, followed by the engine against the simulator on
/// a manual clock. No API the simulator plays reports `needs_input` yet: the simulator's `unknownStatus` fault puts
/// the word `waiting_for_input` in a Hera job's answers (Hera has no bulk status, so every poll reads it) for as
/// many polls as asked.
@Suite("Needs input and cancelled", .timeLimit(.minutes(3)))
struct NeedsInputTests {
    /// A Hera job that renders for an hour.
    static let job = SimulatedJob(
        ref: JobRef(api: .hera, id: "agent"), queueTime: .zero, renderTime: .seconds(3600))

    /// Every poll the engine reports, with the clock's offset when it came.
    actor Polls {
        private(set) var updates: [(at: Duration, progress: JobProgress)] = []
        func add(_ progress: JobProgress, at offset: Duration) { updates.append((offset, progress)) }
    }

    static func follow(
        keepWaiting: Bool, timeout: Duration, simulator: Simulator, endpoint: SimulatorServer.Endpoint
    ) async throws -> [(at: Duration, progress: JobProgress)] {
        let clock = ManualClock()
        let client = SimulatorHarness.client(endpoint, clock: clock, retries: 0)
        let tracker = Tracker(
            store: MemoryJobStore(), client: client, downloader: nil,
            options: TrackerOptions(
                watch: WatchOptions(timeout: timeout, minDelay: .seconds(5), maxDelay: .seconds(40))))
        let plan = FollowPlan(refs: [job.ref], timeout: timeout, keepWaitingForInput: keepWaiting)
        let polls = Polls()
        let driver = WatcherTests.drive(clock, simulator)
        defer { driver.cancel() }
        try await tracker.run(
            .follow(plan),
            report: { event in
                if case .polled(let progress, _) = event { await polls.add(progress, at: clock.now.offset) }
            })
        return await polls.updates
    }

    @Test("a follow meets needs_input: the job ends there, with the state and the provider's word")
    func endsAtNeedsInput() async throws {
        try await SimulatorHarness.run([Self.job]) { simulator, endpoint in
            await simulator.inject(.unknownStatus("waiting_for_input"), times: 3, for: Self.job.ref)
            let updates = try await Self.follow(
                keepWaiting: false, timeout: .seconds(600), simulator: simulator, endpoint: endpoint)
            #expect(updates.count == 1)
            let last = try #require(updates.last?.progress)
            #expect(last.outcome == .needsInput)
            #expect(last.isFinal)
            #expect(last.snapshot?.state == .needsInput)
            #expect(last.snapshot?.providerStatus?.rawValue == "waiting_for_input")
            #expect(last.expectedRemaining == nil)
            #expect(await simulator.statusRequestCount(for: Self.job.ref) == 1)
        }
    }

    @Test("with keepWaitingForInput it is polled every maxDelay while it waits, then on its render schedule again")
    func keepsWaitingAtMaxDelay() async throws {
        try await SimulatorHarness.run([Self.job]) { simulator, endpoint in
            await simulator.inject(.unknownStatus("waiting_for_input"), times: 3, for: Self.job.ref)
            let updates = try await Self.follow(
                keepWaiting: true, timeout: .seconds(300), simulator: simulator, endpoint: endpoint)
            let waiting = updates.prefix(3)
            #expect(
                waiting.allSatisfy { $0.progress.snapshot?.state == .needsInput && $0.progress.outcome == .running })
            // Exactly maxDelay apart (no jitter, no backoff): 0, 40, 80 s.
            #expect(waiting.map(\.at) == [.zero, .seconds(40), .seconds(80)])
            #expect(waiting.allSatisfy { $0.progress.nextPoll == .seconds(40) && $0.progress.expectedRemaining == nil })
            // Then rendering again: its render-time schedule, an expected time left, and the deadline as usual.
            #expect(updates.dropFirst(3).first?.progress.snapshot?.state == .processing)
            #expect(updates.dropFirst(3).first?.progress.expectedRemaining != nil)
            #expect(updates.last?.progress.outcome == .timedOut)
            #expect(updates.last?.at == .seconds(300))
        }
    }

    @Test("waiting for input near the deadline: the last poll is at the deadline, not past it")
    func needsInputDeadline() async throws {
        try await SimulatorHarness.run([Self.job]) { simulator, endpoint in
            await simulator.inject(.unknownStatus("reviewing"), for: Self.job.ref)
            let updates = try await Self.follow(
                keepWaiting: true, timeout: .seconds(100), simulator: simulator, endpoint: endpoint)
            #expect(updates.map(\.at) == [.zero, .seconds(40), .seconds(80), .seconds(100)])
            #expect(updates.last?.progress.outcome == .timedOut)
            #expect(updates.last?.progress.snapshot?.state == .needsInput)
        }
    }

    @Test("StatusClient.wait throws needsInput, carrying the snapshot; its message names the provider's word")
    func waitThrowsNeedsInput() async throws {
        try await SimulatorHarness.run([Self.job]) { simulator, endpoint in
            await simulator.inject(.unknownStatus("waiting_for_input"), for: Self.job.ref)
            let clock = ManualClock()
            let result = await WatcherTests.wait(
                for: Self.job.ref, timeout: .seconds(600), client: SimulatorHarness.client(endpoint, clock: clock),
                clock: clock, simulator: simulator)
            let error = try #require(throws: WaitError.self) { try result.get() }
            #expect(error.reason == .needsInput)
            #expect(error.lastSnapshot?.state == .needsInput)
            #expect(error.description == "hera:agent: waiting for input (waiting_for_input)")
        }
    }

    @Test("a v3 job cancelled at the provider: a failure with the reason 'cancelled', polled no more")
    func cancelled() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "c"), queueTime: .zero, renderTime: .seconds(200))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            // Bulk answers say processing, then completed; the detail call that follows reads "cancelled".
            await simulator.inject(.unknownStatus("cancelled"), for: job.ref)
            let clock = ManualClock()
            let result = await WatcherTests.wait(
                for: job.ref, timeout: .seconds(1800), client: SimulatorHarness.client(endpoint, clock: clock),
                clock: clock, simulator: simulator)
            let error = try #require(throws: WaitError.self) { try result.get() }
            #expect(error.reason == .failed)
            #expect(error.lastSnapshot?.state == .cancelled)
            #expect(error.description == "heygen:c: render failed: cancelled")
            #expect(await simulator.statusRequestCount(for: job.ref) == 1)
        }
    }
}
