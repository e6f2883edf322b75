import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// AI clipping jobs on the engine (`track check`, `run`): each clip's file is downloaded as soon as that clip
/// completes, while the job still runs, once; a failed clip is skipped; a cancelled job keeps the clips it landed.
/// Against the simulator over HTTP, on a real SQLite store.
@Suite("Tracking AI clipping jobs")
struct ClipTrackingTests {
    /// Three clips over 300 s of rendering: at 100 s, 200 s (this one fails) and 300 s.
    static func job(_ id: String, outcome: SimulatedJob.Outcome = .success) -> SimulatedJob {
        var job = SimulatedJob(
            ref: JobRef(api: .clip, id: id), title: "Keynote", queueTime: .zero, renderTime: .seconds(300),
            outcome: outcome, videoSize: 20_000)
        job.clips[1].fails = true
        return job
    }

    /// The file requests the simulator received for `name` of `ref`.
    static func fetches(_ simulator: Simulator, _ ref: JobRef, _ name: String) async -> Int {
        await simulator.requests.count { $0.path == "/files/clip/\(ref.id)/\(name)" }
    }

    /// One `track check` pass: due jobs polled, files of finished clips downloaded.
    static func check(_ tracker: Tracker, _ store: any JobStore, _ ref: JobRef) async throws {
        _ = try await store.makeDue(ref, at: TrackerTests.now)
        try await tracker.run(.pass(polls: true, downloads: true))
    }

    @Test("a clip lands while the job runs; the failed one is skipped; none is fetched twice, even after a restart")
    func clipsLandOneByOne() async throws {
        let job = Self.job("keynote")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let path = EngineTests.storePath()
            let store = try SQLiteJobStore(path: path)
            let directory = NSTemporaryDirectory() + "reelwatch-clips-" + UUID().uuidString
            _ = try await store.track(
                TrackRequest(ref: job.ref, downloadDirectory: directory), at: TrackerTests.now)
            let tracker = TrackerTests.tracker(endpoint, store: store)
            let first = directory + "/heygen-keynote-video-Opening-keynote-clip-0.mp4"
            let last = directory + "/heygen-keynote-video-Closing-keynote-clip-2.mp4"

            try await Self.check(tracker, store, job.ref)
            #expect(!FileManager.default.fileExists(atPath: first))

            await simulator.advance(by: .seconds(150))
            try await Self.check(tracker, store, job.ref)
            #expect(FileManager.default.fileExists(atPath: first))
            #expect(await simulator.state(of: job.ref) == .processing)
            var tracked = try #require(try await store.job(job.ref))
            #expect(tracked.phase == .polling)
            #expect(tracked.files.map(\.status) == [.done])

            // The second clip failed, the first is on disk: nothing is fetched.
            await simulator.advance(by: .seconds(100))
            try await Self.check(tracker, store, job.ref)
            #expect(await simulator.state(of: job.ref) == .processing)
            #expect(await Self.fetches(simulator, job.ref, "clip-0.mp4") == 1)
            #expect(await Self.fetches(simulator, job.ref, "clip-1.mp4") == 0)

            await simulator.advance(by: .seconds(100))
            try await Self.check(tracker, store, job.ref)
            #expect(FileManager.default.fileExists(atPath: last))
            tracked = try #require(try await store.job(job.ref))
            #expect(tracked.state == .succeeded)
            #expect(tracked.phase == .done)
            #expect(
                tracked.files.map(\.name).sorted() == [first, last].map { ($0 as NSString).lastPathComponent }.sorted())
            #expect(tracked.files.allSatisfy { $0.status == .done && $0.bytes == 20_000 })
            let failed = try #require(tracked.snapshot?.assets.first { $0.state == .failed })
            #expect(failed.label == nil && failed.outputID == "keynote-clip-1")

            // A restart over the same store fetches nothing again.
            let reopened = try SQLiteJobStore(path: path)
            _ = try await reopened.track(TrackRequest(ref: job.ref, downloadDirectory: directory), at: TrackerTests.now)
            try await TrackerTests.tracker(endpoint, store: reopened).run(.pass(polls: true, downloads: true))
            #expect(await Self.fetches(simulator, job.ref, "clip-0.mp4") == 1)
            #expect(await Self.fetches(simulator, job.ref, "clip-2.mp4") == 1)
            #expect(try await reopened.job(job.ref)?.phase == .done)
        }
    }

    @Test("a cancelled job is a failure, reason cancelled; the clip it landed stays")
    func cancelled() async throws {
        let job = Self.job("stopped", outcome: .failure(code: "cancelled", message: "Cancelled", detail: nil))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-clips-" + UUID().uuidString
            _ = try await store.track(
                TrackRequest(ref: job.ref, downloadDirectory: directory), at: TrackerTests.now)
            let tracker = TrackerTests.tracker(endpoint, store: store)
            await simulator.advance(by: .seconds(150))
            try await Self.check(tracker, store, job.ref)
            await simulator.advance(by: .seconds(200))
            try await Self.check(tracker, store, job.ref)
            let tracked = try #require(try await store.job(job.ref))
            #expect(tracked.state == .cancelled)
            #expect(tracked.snapshot?.failureReason == "cancelled")
            #expect(tracked.phase == .done)
            #expect(
                FileManager.default.fileExists(atPath: directory + "/heygen-stopped-video-Opening-stopped-clip-0.mp4"))
            #expect(await Self.fetches(simulator, job.ref, "clip-2.mp4") == 0)
        }
    }
}
