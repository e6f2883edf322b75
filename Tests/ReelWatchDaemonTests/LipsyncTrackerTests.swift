import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen lipsyncs through the engine: bulk status in chunks of 100, then the finished ones' files on disk.
@Suite("Tracker: lipsyncs")
struct LipsyncTrackerTests {
    @Test("250 tracked lipsyncs: one pass asks ⌈250/100⌉ = 3 bulk requests; the finished one's video lands")
    func bulkThenFiles() async throws {
        var jobs = (0..<248).map { TrackerTests.job(.lipsync, "l\($0)", render: .seconds(600)) }
        let done = TrackerTests.job(.lipsync, "done")
        jobs += [done, TrackerTests.job(.lipsync, "bad", failed: true)]
        let all = jobs
        try await SimulatorHarness.run(all) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-lipsync-" + UUID().uuidString
            _ = try await store.track(
                all: all.map { TrackRequest(ref: $0.ref, downloadDirectory: directory) }, at: TrackerTests.now)
            let tracker = TrackerTests.tracker(endpoint, store: store)
            #expect(try await tracker.pollDue() == 250)
            #expect(await simulator.bulkRequestCount == 3)
            // Only the two that finished are asked on their own, for their links or their failure in full.
            let asked = await simulator.requests.compactMap(\.ref)
            #expect(asked.count == 2)
            #expect(Set(asked) == [done.ref, JobRef(api: .lipsync, id: "bad")])
            #expect(try await store.job(JobRef(api: .lipsync, id: "l0"))?.state == .processing)
            let bad = try #require(try await store.job(JobRef(api: .lipsync, id: "bad")))
            #expect(bad.state == .failed)
            #expect(bad.snapshot?.failure?.message == "No face was found in the source video")

            // By default a HeyGen job's video only (`download --assets all` takes the captions too).
            #expect(try await tracker.downloadPending() == 1)
            let saved = try #require(try await store.job(done.ref))
            #expect(saved.phase == .done)
            #expect(saved.files.map(\.name) == ["heygen-done-video.mp4"])
            #expect(saved.files.first?.bytes == 50_000)
            #expect(FileManager.default.fileExists(atPath: directory + "/heygen-done-video.mp4"))
        }
    }
}
