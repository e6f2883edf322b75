import Foundation
import ReelWatchDaemon
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

@testable import ReelWatch

/// HeyGen's translation proofreads (`heygen-proofread:`): the status, and once completed the second request for
/// the captions (`…/proofreads/{id}/srt`) made by the status path itself, over HTTP against the simulator.
@Suite("Proofreads", .timeLimit(.minutes(1)))
struct ProofreadTests {
    static let adapter = HeyGenProofreadProvider()

    static func decode(_ data: String, id: String = "pr-1") throws -> JobSnapshot {
        try Fixture.decode(#"{"data": \#(data)}"#, ref: "heygen-proofread:\(id)")
    }

    static func links(_ data: String, to snapshot: JobSnapshot) throws -> JobSnapshot {
        try adapter.addingLinks(
            from: try JSONValue.parse(Array(#"{"data": \#(data)}"#.utf8)), to: snapshot, httpStatus: 200)
    }

    static func job(_ id: String, outcome: SimulatedJob.Outcome = .success, render: Duration = .zero) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: .proofread, id: id), title: "Launch (Urdu) proofread", queueTime: .zero,
            renderTime: render, outcome: outcome)
    }

    static func srtPath(_ id: String) -> String { "/v3/video-translations/proofreads/\(id)/srt" }

    @Test("every state: processing, completed (no links of its own), failed with failure_message; unknown verbatim")
    func states() throws {
        let processing = try Self.decode(
            #"{"id": "pr-1", "status": "processing", "failure_message": null, "input_language": "English", "output_language": "Spanish", "title": "Launch", "created_at": 1800000000, "submitted_for_review": false}"#
        )
        #expect(processing.state == .processing)
        #expect(processing.outputLanguage == "Spanish")
        #expect(processing.title == "Launch")
        #expect(processing.createdAt == Fixture.date(1_800_000_000))
        let completed = try Self.decode(
            #"{"id": "pr-1", "status": "completed", "submitted_for_review": true, "extra": [1, {"a": null}]}"#)
        #expect(completed.state == .succeeded)
        #expect(completed.assets.isEmpty)
        let failed = try Self.decode(
            #"{"id": "pr-1", "status": "failed", "failure_message": "The translation has no speech"}"#)
        #expect(failed.state == .failed)
        #expect(failed.failureReason == "The translation has no speech")
        let bare = try Self.decode(#"{"status": "failed"}"#)
        #expect(bare.failureReason == nil)
        let unknown = try Self.decode(#"{"id": "pr-1", "status": "awaiting_review", "title": null}"#)
        #expect(unknown.state == .unknown)
        #expect(unknown.providerStatus?.rawValue == "awaiting_review")
        let other = try #require(throws: ReelWatchError.self) {
            try Self.decode(#"{"id": "pr-2", "status": "completed"}"#)
        }
        #expect(other.code == .invalidResponse)
    }

    @Test("the links answer: two captions labelled translated and original, one alone, none is an error")
    func linksAnswer() throws {
        let completed = try Self.decode(#"{"id": "pr-1", "status": "completed"}"#)
        let both = try Self.links(
            #"{"srt_url": "https://cdn.test/p/tr.srt?Expires=1800600000", "original_srt_url": "https://cdn.test/p/orig", "unknown": 1}"#,
            to: completed)
        #expect(both.state == .succeeded)
        #expect(both.assets.map(\.kind) == [.captions, .captions])
        #expect(both.assets.map(\.label) == ["translated", "original"])
        #expect(both.assets.map(\.format) == ["srt", "srt"])
        #expect(both.assets[0].expiresAt == Fixture.date(1_800_600_000))
        let names = try Downloader.plan(both, directory: "/tmp/p").map(\.fileName)
        #expect(names == ["heygen-pr-1-captions-translated.srt", "heygen-pr-1-captions-original.srt"])
        let one = try Self.links(#"{"srt_url": "https://cdn.test/p/tr.srt", "original_srt_url": null}"#, to: completed)
        #expect(one.assets.map(\.label) == ["translated"])
        for empty in [#"{}"#, #"{"srt_url": null, "original_srt_url": ""}"#] {
            let error = try #require(throws: ReelWatchError.self) { try Self.links(empty, to: completed) }
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains("neither srt_url nor original_srt_url"))
        }
        let refused = try #require(throws: ReelWatchError.self) {
            try Self.adapter.addingLinks(
                from: try JSONValue.parse(Array(#"{"error": {"code": "not_ready", "message": "SRT not ready"}}"#.utf8)),
                to: completed, httpStatus: 200)
        }
        #expect(refused.message.contains("SRT not ready"))
    }

    @Test("over HTTP: processing asks no links; completed asks /srt once per poll, with the same key")
    func overHTTP() async throws {
        let job = Self.job("pr-http", render: .seconds(90))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let processing = try await client.snapshot(of: job.ref)
            #expect(processing.state == .processing)
            #expect(processing.outputLanguage == "Urdu (Pakistan)")
            #expect(await simulator.requestCount(forPath: Self.srtPath("pr-http")) == 0)
            await simulator.advance(by: .seconds(90))
            for poll in 1...2 {
                let done = try await client.snapshot(of: job.ref)
                #expect(done.state == .succeeded)
                #expect(done.assets.map(\.label) == ["translated", "original"])
                #expect(done.assets.allSatisfy { $0.kind == .captions && $0.url != nil })
                #expect(await simulator.requestCount(forPath: Self.srtPath("pr-http")) == poll)
            }
            #expect(await simulator.statusRequestCount(for: job.ref) == 3)
            #expect(await simulator.requests.allSatisfy { $0.authorized })
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .proofread, id: "ghost"))
            }
            #expect(error.code == .jobNotFound)
            #expect(await simulator.requestCount(forPath: Self.srtPath("ghost")) == 0)
        }
    }

    @Test("a 503 on /srt is retried under the status request's policy; the poll then succeeds with its files")
    func linksRetried() async throws {
        let job = Self.job("pr-503")
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 503), times: 1, forPath: Self.srtPath("pr-503"))
            let clock = ManualClock()
            let client = SimulatorHarness.client(endpoint, clock: clock)
            let poll = Task { try await client.snapshot(of: job.ref) }
            _ = await clock.nextSleep()  // the backoff after the 503
            clock.advance(by: .seconds(8))
            let snapshot = try await poll.value
            #expect(snapshot.state == .succeeded)
            #expect(snapshot.assets.count == 2)
            #expect(await simulator.requestCount(forPath: Self.srtPath("pr-503")) == 2)
            #expect(await simulator.statusRequestCount(for: job.ref) == 1)
        }
    }

    @Test("a 404 on /srt, or /srt failing for good, is an error of the poll: never a success without files")
    func linksFail() async throws {
        let job = Self.job("pr-404")
        let early = Self.job("pr-early", render: .seconds(600))
        try await SimulatorHarness.run([job, early]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint, retries: 0)
            await simulator.inject(.serverError(status: 404), times: 1, forPath: Self.srtPath("pr-404"))
            let notFound = try await #require(throws: ReelWatchError.self) { try await client.snapshot(of: job.ref) }
            #expect(notFound.code == .invalidResponse)
            #expect(notFound.httpStatus == 404)
            #expect(notFound.message.contains("/v3/video-translations/proofreads/{id}/srt"))
            // The status says completed while /srt has nothing yet (HeyGen's own 404 body).
            await simulator.inject(.unknownStatus("completed"), times: 1, for: early.ref)
            let inconsistent = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: early.ref)
            }
            #expect(inconsistent.code == .invalidResponse)
            await simulator.inject(.serverError(status: 502), forPath: Self.srtPath("pr-404"))
            let down = try await #require(throws: ReelWatchError.self) { try await client.snapshot(of: job.ref) }
            #expect(down.code == .providerUnavailable)
            await simulator.clearFaults()
            #expect(try await client.snapshot(of: job.ref).assets.count == 2)
        }
    }

    @Test("tracked with a directory: one pass polls it, the next saves both captions to disk")
    func trackedToDisk() async throws {
        let job = Self.job("pr-disk")
        let failed = Self.job("pr-bad", outcome: SimulatedJob.documentedFailure(for: .proofread))
        try await SimulatorHarness.run([job, failed]) { simulator, endpoint in
            let store = try SQLiteJobStore(path: NSTemporaryDirectory() + "reelwatch-pr-\(UUID().uuidString).sqlite")
            let directory = NSTemporaryDirectory() + "reelwatch-pr-" + UUID().uuidString
            for ref in [job.ref, failed.ref] {
                _ = try await store.track(
                    TrackRequest(ref: ref, downloadDirectory: directory), at: SimulatorHarness.epoch)
            }
            let client = SimulatorHarness.client(endpoint)
            let tracker = Tracker(
                store: store, client: client,
                downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport()))
            #expect(try await tracker.pollDue() == 2)
            #expect(try await store.job(failed.ref)?.state == .failed)
            #expect(try await tracker.downloadPending() == 2)
            let tracked = try #require(try await store.job(job.ref))
            #expect(tracked.phase == .done)
            #expect(
                tracked.files.map(\.name).sorted() == [
                    "heygen-pr-disk-captions-original.srt", "heygen-pr-disk-captions-translated.srt",
                ])
            for name in tracked.files.map(\.name) {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
                #expect(attributes[.size] as? Int == 2048)
            }
            #expect(await simulator.requestCount(forPath: Self.srtPath("pr-bad")) == 0)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
