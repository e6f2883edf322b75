import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

@testable import ReelWatchDaemon

/// The expected time left (``Tracker/expectedRemaining(for:snapshot:pace:now:)``): from the rate a job's own
/// progress grew at when it reports one, the render-time model otherwise. Dates are injected.
@Suite("Expected time left")
struct ExpectedRemainingTests {
    static let t0 = SimulatorHarness.epoch
    static let ref = JobRef(api: .hera, id: "p")

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func job() -> TrackedJob {
        TrackedJob(ref: ref, addedAt: t0, updatedAt: t0, nextPollAt: t0)
    }

    static func snapshot(_ progress: Int?, state: JobState = .processing) -> JobSnapshot {
        JobSnapshot(ref: ref, state: state, progress: progress)
    }

    /// A tracker whose client never sends anything (the estimate asks nobody).
    static func tracker(_ endpoint: SimulatorServer.Endpoint) -> Tracker {
        Tracker(store: MemoryJobStore(), client: SimulatorHarness.client(endpoint), downloader: nil)
    }

    @Test("first seen at 20 % at t0, 60 % 100 s later: 40 % left at 0.4 %/s is 100 s")
    func fromTheRate() async throws {
        try await SimulatorHarness.run([]) { _, endpoint in
            let tracker = Self.tracker(endpoint)
            var pace = ProgressPace(percent: 20, at: Self.t0)
            pace.observe(60, at: Self.at(100))
            let left = tracker.expectedRemaining(
                for: Self.job(), snapshot: Self.snapshot(60), pace: pace, now: Self.at(100))
            #expect(left == .seconds(100))
            // At 100 % while still running: nothing left.
            #expect(pace.remaining(at: 100, on: Self.at(200)) == .zero)
        }
    }

    @Test("no growth yet, no progress, or no pace: the render-time model's estimate, as before")
    func fallsBackToTheModel() async throws {
        try await SimulatorHarness.run([]) { _, endpoint in
            let tracker = Self.tracker(endpoint)
            let model = tracker.schedule(for: .hera).model
            let age = Duration.seconds(30)
            let done = model.cumulative(age)
            let fromModel = max(.zero, model.quantile(done + (1 - done) / 2) - age)
            let now = Self.at(30)
            let still = ProgressPace(percent: 40, at: Self.t0)
            #expect(
                tracker.expectedRemaining(for: Self.job(), snapshot: Self.snapshot(40), pace: still, now: now)
                    == fromModel)
            #expect(
                tracker.expectedRemaining(for: Self.job(), snapshot: Self.snapshot(nil), pace: still, now: now)
                    == fromModel)
            #expect(
                tracker.expectedRemaining(for: Self.job(), snapshot: Self.snapshot(70), pace: nil, now: now)
                    == fromModel)
            // Waiting for a person: no estimate at all.
            #expect(
                tracker.expectedRemaining(
                    for: Self.job(), snapshot: Self.snapshot(70, state: .needsInput), pace: still, now: now) == nil)
        }
    }

    @Test("weird numbers never trap: progress going back starts over, time going back too, a crawl is capped")
    func weirdNumbers() {
        var pace = ProgressPace(percent: 50, at: Self.at(100))
        // Going back (the provider started over): the pace starts again from there.
        pace.observe(10, at: Self.at(200))
        #expect(pace.remaining(at: 10, on: Self.at(200)) == nil)
        #expect(pace.remaining(at: 30, on: Self.at(300)) == .seconds(350))
        // A date before the first sighting starts over as well.
        pace.observe(30, at: Self.at(0))
        #expect(pace.remaining(at: 30, on: Self.at(0)) == nil)
        // No time passed, or a percentage out of range: no estimate.
        let fresh = ProgressPace(percent: 0, at: Self.t0)
        #expect(fresh.remaining(at: 50, on: Self.t0) == nil)
        #expect(fresh.remaining(at: 101, on: Self.at(10)) == nil)
        #expect(fresh.remaining(at: Int.max, on: Self.at(10)) == nil)
        #expect(ProgressPace(percent: Int.min, at: Self.t0).remaining(at: 0, on: Self.at(10)) != nil)
        // 1 % in a century: capped at the engine's horizon, not a trap.
        #expect(fresh.remaining(at: 1, on: Self.at(100 * 365 * 86_400)) == Tracker.horizon)
        #expect(fresh.remaining(at: 1, on: Date.distantFuture) == Tracker.horizon)
    }
}
