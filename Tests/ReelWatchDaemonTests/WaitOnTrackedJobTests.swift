import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// `wait` on a job `run` was already polling: the engine runs over the in-memory store mirrored into the job store
/// (as the CLI's `wait` does), and continues the job's schedule from the store — its age and backoff count — rather
/// than starting the backoff again.
@Suite("wait on a tracked job", .timeLimit(.minutes(3)))
struct WaitOnTrackedJobTests {
    typealias Engine = EngineTests

    /// The gaps between consecutive times.
    static func gaps(_ times: [Duration]) -> [Duration] {
        zip(times.dropFirst(), times).map { $0 - $1 }
    }

    /// Advances to the earliest sleep each time one starts, as long as it comes before `limit`, until cancelled.
    static func drive(
        _ clock: ManualClock, _ simulator: Simulator, until limit: ManualClock.Instant
    ) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                guard let next = clock.sleeperDeadlines.first, next <= limit else {
                    try? await Task.sleep(for: .milliseconds(1))
                    continue
                }
                await Engine.advance(clock, simulator, to: next)
            }
        }
    }

    @Test("wait takes over a job run left mid-backoff: its backoff goes on from the store's count")
    func continuesBackoff() async throws {
        let job = Engine.longJob
        let clock = ManualClock()
        let straight = try await Engine.withSimulator([job], clock: clock) { simulator, client in
            let driver = Engine.drive(clock, simulator)
            defer { driver.cancel() }
            for try await _ in Watcher(refs: [job.ref], client: client, options: Engine.longOptions) {}
            return await Engine.pollTimes(of: job.ref, simulator)
        }
        let handOverClock = ManualClock()
        let (times, daemonPolls, recorded) = try await Engine.withSimulator([job], clock: handOverClock) {
            simulator, client in
            let clock = handOverClock
            let path = Engine.storePath()
            let store = try SQLiteJobStore(path: path)
            _ = try await store.track(TrackRequest(ref: job.ref), at: client.wallClock())
            let daemon = Task { try await Engine.daemon(store, client: client).run(.daemon) }
            // The daemon runs until its polls are well into backoff, then stops while it waits for the next one.
            let stop = ManualClock.Instant(offset: .seconds(250))
            let driver = Self.drive(clock, simulator, until: stop)
            for _ in 0..<10000 where (try await store.job(job.ref)?.backoffPolls ?? 0) < 3 {
                try await Task.sleep(for: .milliseconds(1))
            }
            try #require(try await store.job(job.ref)?.backoffPolls ?? 0 >= 3)
            driver.cancel()
            daemon.cancel()
            _ = try await daemon.value
            let daemonPolls = await Engine.pollTimes(of: job.ref, simulator).count

            // `wait` from another process, a little later: the memory store mirrored into the same job store.
            let mirror = try SQLiteJobStore(path: path)
            let followed = MirroredJobStore(primary: MemoryJobStore(), mirror: mirror, onMirrorFailure: { _ in })
            let waiting = Task {
                try await Tracker(
                    store: followed, client: client, downloader: nil,
                    options: TrackerOptions(watch: Engine.longOptions)
                ).run(.follow(FollowPlan(refs: [job.ref], timeout: .seconds(7200))))
            }
            let again = Engine.drive(clock, simulator)
            defer { again.cancel() }
            _ = try await waiting.value
            let recorded = try #require(try await mirror.job(job.ref))
            return (await Engine.pollTimes(of: job.ref, simulator), daemonPolls, recorded)
        }
        #expect(recorded.state == .succeeded)
        // Straight through, the job's polls in backoff are spaced by a growing delay; the poll `wait` makes at
        // once continues the count it had there, and the gap after it is the straight run's gap after that poll.
        let straightGaps = Self.gaps(straight)
        let handedGaps = Self.gaps(times)
        try #require(handedGaps.count > daemonPolls)
        try #require(straightGaps.count > daemonPolls)
        // The daemon's polls, then `wait`'s first at the same instant as the daemon's last (the clock stood still).
        #expect(Array(times.prefix(daemonPolls)) == Array(straight.prefix(daemonPolls)))
        #expect(times[daemonPolls] == times[daemonPolls - 1])
        // The gap after it is the straight run's gap after its next poll, which had the same backoff count before
        // it; a schedule started afresh (the job's age and backoff forgotten) would give the first gap again.
        #expect(handedGaps[daemonPolls] == straightGaps[daemonPolls])
        #expect(handedGaps[daemonPolls] != straightGaps[0], "the schedule did not start again")
    }
}
