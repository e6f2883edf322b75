import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen batches on the engine (`track check`, `run`): a polled batch tracks its members, each a job of its own
/// labelled with the batch, polled through its API's bulk status like any job and landing its file. Against the
/// simulator over HTTP, on a real SQLite store.
@Suite("Tracking batches")
struct BatchTrackerTests {
    /// A member of a batch: a v3 video of 20 kB rendering `render` after `queue`.
    static func member(
        _ id: String, queue: Duration = .zero, render: Duration = .seconds(600), failed: Bool = false,
        created: Bool = true
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: .v3, id: id), queueTime: queue, renderTime: render,
            outcome: failed ? SimulatedJob.documentedFailure(for: .v3) : .success, videoSize: 20_000,
            createdInBatch: created)
    }

    /// One round: every job still polled is made due, then one `track check` pass polls and downloads.
    static func round(_ tracker: Tracker, _ store: any JobStore) async throws {
        for job in try await store.jobs(in: [.polling]) { _ = try await store.makeDue(job.ref, at: TrackerTests.now) }
        try await tracker.run(.pass(polls: true, downloads: true))
    }

    @Test(
        "a batch of 250: members tracked (label, meta batch), polled through statuses?batch_ids= in ⌈250/100⌉ = 3 pages a round; all land"
    )
    func twoHundredFifty() async throws {
        let members = (0..<250).map { Self.member("m\($0)") }
        let batch = SimulatedJob(ref: JobRef(api: .batch, id: "b250"), title: "Launch", members: members)
        try await SimulatorHarness.run([batch]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-batch-" + UUID().uuidString
            _ = try await store.track(
                TrackRequest(ref: batch.ref, label: "spring", meta: ["team": "ads"], downloadDirectory: directory),
                at: TrackerTests.now)
            let tracker = TrackerTests.tracker(endpoint, store: store)

            // The batch's three pages: its members are tracked, to be polled from the next round on.
            try await Self.round(tracker, store)
            #expect(await simulator.statusRequestCount(for: batch.ref) == 3)
            #expect(await simulator.bulkRequestCount == 0)
            let tracked = try await store.jobs(in: nil).filter { $0.ref.api == .v3 }
            #expect(tracked.count == 250)
            #expect(
                tracked.allSatisfy { $0.label == "spring" && $0.meta == ["team": "ads", "batch": "heygen-batch:b250"] })
            #expect(tracked.allSatisfy { $0.state == nil && $0.downloadDirectory == directory })
            #expect(try await store.job(batch.ref)?.state == .processing)

            // A round while they render: the batch's pages again, its members in 3 bulk calls, none on its own —
            // HeyGen's batch form (`statuses?batch_ids=b250`, 100 members a page), not their 250 IDs.
            try await Self.round(tracker, store)
            #expect(await simulator.bulkRequestCount == 3)
            #expect(await simulator.batchStatusRequestCount == 3)
            #expect(await simulator.requests.compactMap(\.ref).allSatisfy { $0 == batch.ref })
            #expect(try await store.jobs(in: nil).filter { $0.ref.api == .v3 }.allSatisfy { $0.state == .processing })

            await simulator.advance(by: .seconds(601))
            try await Self.round(tracker, store)
            #expect(await simulator.bulkRequestCount == 6)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.count == 250)
            #expect(Set(files) == Set((0..<250).map { "heygen-m\($0)-video.mp4" }))
            let done = try await store.jobs(in: nil)
            #expect(done.count == 251)
            #expect(done.allSatisfy { $0.phase == .done })
            #expect(done.filter { $0.ref.api == .v3 }.allSatisfy { $0.files.map(\.bytes) == [20_000] })
            let finished = try #require(try await store.job(batch.ref))
            #expect(finished.state == .succeeded)
            #expect(finished.files.isEmpty)
        }
    }

    @Test("members appearing late are picked up when the batch is polled again; a failed member and a missing one")
    func lateFailedMissing() async throws {
        let members = [
            Self.member("early", render: .seconds(100)),
            Self.member("late", queue: .seconds(200), render: .seconds(100)),
            Self.member("broken", render: .seconds(100), failed: true),
            Self.member("never", render: .seconds(100), failed: true, created: false),
        ]
        let batch = SimulatedJob(ref: JobRef(api: .batch, id: "mixed"), members: members)
        try await SimulatorHarness.run([batch]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            let directory = NSTemporaryDirectory() + "reelwatch-batch-" + UUID().uuidString
            _ = try await store.track(TrackRequest(ref: batch.ref, downloadDirectory: directory), at: TrackerTests.now)
            let tracker = TrackerTests.tracker(endpoint, store: store)
            let late = JobRef(api: .v3, id: "late")

            try await Self.round(tracker, store)
            var refs = Set(try await store.jobs(in: nil).map(\.ref.id))
            #expect(refs == ["mixed", "early", "broken"])
            #expect(try await store.job(batch.ref)?.snapshot?.members.map(\.id) == ["early", "broken"])

            await simulator.advance(by: .seconds(150))
            try await Self.round(tracker, store)
            refs = Set(try await store.jobs(in: nil).map(\.ref.id))
            #expect(refs == ["mixed", "early", "late", "broken"])
            #expect(try await store.job(late)?.meta["batch"] == "heygen-batch:mixed")
            #expect(try await store.job(JobRef(api: .v3, id: "early"))?.phase == .done)
            let broken = try #require(try await store.job(JobRef(api: .v3, id: "broken")))
            #expect(broken.state == .failed)
            #expect(broken.snapshot?.failure?.message == "Script too long for selected avatar")
            #expect(try await store.job(batch.ref)?.state == .processing)

            await simulator.advance(by: .seconds(200))
            try await Self.round(tracker, store)
            #expect(try await store.job(late)?.phase == .done)
            #expect(
                Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == [
                    "heygen-early-video.mp4", "heygen-late-video.mp4",
                ])
            let finished = try #require(try await store.job(batch.ref))
            #expect(finished.state == .failed)
            #expect(finished.phase == .done)
            let message = try #require(finished.snapshot?.failure?.message)
            #expect(message.hasPrefix("2 of 4 items failed: item 2 (heygen:broken): "), "\(message)")
            #expect(
                message.contains("item 3 (no job): script_too_long: Script too long for selected avatar"), "\(message)")
        }
    }

    @Test("run (the daemon) on a tracked batch: its members, one appearing late, tracked and followed to the end")
    func daemon() async throws {
        let members = [
            Self.member("d-0", render: .seconds(30)), Self.member("d-1", render: .seconds(75)),
            Self.member("d-late", queue: .seconds(100), render: .seconds(15)),
        ]
        let batch = SimulatedJob(ref: JobRef(api: .batch, id: "daemon"), members: members)
        let clock = ManualClock()
        try await EngineTests.withSimulator([batch], clock: clock) { simulator, client in
            let store = try SQLiteJobStore(path: EngineTests.storePath())
            _ = try await store.track(TrackRequest(ref: batch.ref), at: client.wallClock())
            let daemon = Task { try await EngineTests.daemon(store, client: client).run(.daemon) }
            let driver = EngineTests.drive(clock, simulator)
            defer { driver.cancel() }
            for _ in 0..<3000 where try await store.job(batch.ref)?.state != .succeeded {
                try await Task.sleep(for: .milliseconds(20))
            }
            daemon.cancel()
            _ = try await daemon.value
            #expect(try await store.job(batch.ref)?.state == .succeeded)
            for member in members {
                let tracked = try #require(try await store.job(member.ref))
                #expect(tracked.state == .succeeded)
                #expect(tracked.meta["batch"] == "heygen-batch:daemon")
                // Followed through bulk status; asked on its own once, when found finished.
                #expect(await simulator.statusRequestCount(for: member.ref) == 1)
            }
            #expect(await simulator.bulkRequestCount > 0)
        }
    }
}
