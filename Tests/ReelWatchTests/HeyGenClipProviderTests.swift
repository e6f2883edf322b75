import Foundation
import ReelWatchSimulator
import ReelWatchTestSupport
import Testing

@testable import ReelWatch

/// HeyGen's AI clipping (`heygen-clip:`): bodies shaped like `GET /v3/ai-clipping/{id}`'s, each clip an output with
/// its own state, names that keep clips apart, and plans that take the clips finished so far while the job runs.
@Suite("AI clipping")
struct HeyGenClipProviderTests {
    static let ref = JobRef(api: .clip, id: "clip-job")

    static func snapshot(_ data: String) throws -> JobSnapshot {
        let body = try JSONValue.parse(Array(#"{"data": \#(data)}"#.utf8))
        return try HeyGenClipProvider().snapshot(from: body, ref: ref, httpStatus: 200)
    }

    /// A completed clip with every field.
    static let completedClip = #"""
        {"id": "c0", "status": "completed", "video_url": "https://cdn.test/c0.mp4?Expires=1900000000&Signature=x",
         "thumbnail_url": "https://cdn.test/c0.jpg", "title": "Best bit", "duration_seconds": 31.5,
         "aspect_ratio": "portrait", "virality_score": 87, "colour": "extra field"}
        """#

    @Test("every job state: pending, running, completed, failed, cancelled, and an unknown word kept verbatim")
    func states() throws {
        let cases: [(String, JobState)] = [
            ("pending", .queued), ("running", .processing), ("completed", .succeeded), ("failed", .failed),
            ("cancelled", .cancelled), ("paused_by_moderation", .unknown),
        ]
        for (word, state) in cases {
            let snapshot = try Self.snapshot(#"{"id": "clip-job", "status": "\#(word)", "clips": []}"#)
            #expect(snapshot.state == state, "\(word)")
            #expect(snapshot.providerStatus?.rawValue == word)
        }
        let cancelled = try Self.snapshot(#"{"id": "clip-job", "status": "cancelled", "failure_message": null}"#)
        #expect(cancelled.failureReason == "cancelled")
        let failed = try Self.snapshot(
            #"{"id": "clip-job", "status": "failed", "failure_message": "Source video too short", "clips": null}"#)
        #expect(failed.failure?.message == "Source video too short")
    }

    @Test("each clip is an output: completed (video and thumbnail), pending (nulls), failed (skipped, with why)")
    func clips() throws {
        let snapshot = try Self.snapshot(
            #"""
            {"id": "clip-job", "status": "running", "progress": 40, "title": "Keynote", "callback_id": "cb-1",
             "source_duration": 3600, "input_language": "en", "created_at": 1800000000, "unexpected": {"a": 1},
             "clips": [\#(Self.completedClip),
               {"id": "c1", "status": "pending", "video_url": null, "thumbnail_url": null, "title": null,
                "duration_seconds": null, "aspect_ratio": null, "virality_score": null},
               {"id": "c2", "status": "failed", "video_url": null, "title": null},
               42, null, "clip"]}
            """#)
        #expect(snapshot.state == .processing)
        #expect(snapshot.progress == 40)
        #expect(snapshot.title == "Keynote")
        #expect(snapshot.callbackID == "cb-1")
        #expect(snapshot.createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(snapshot.assets.map(\.kind) == [.video, .thumbnail, .video, .video])
        #expect(snapshot.assets.map(\.outputID) == ["c0", "c0", "c1", "c2"])
        #expect(snapshot.assets.map(\.state) == [.succeeded, .succeeded, .queued, .failed])
        let video = snapshot.assets[0]
        #expect(video.url == "https://cdn.test/c0.mp4?Expires=1900000000&Signature=x")
        #expect(video.expiresAt == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(video.format == "mp4")
        #expect(video.label == "Best bit")
        #expect(video.aspectRatio == "portrait")
        #expect(snapshot.assets[1].format == "jpg")
        #expect(snapshot.assets[2].url == nil)
        #expect(snapshot.assets[3].url == nil)
        #expect(snapshot.assets[3].error == HeyGenClipProvider.clipFailure)
        // A completed job whose clips partly failed has succeeded; the failed clip is not downloaded.
        let done = try Self.snapshot(
            #"{"id": "clip-job", "status": "completed", "clips": [\#(Self.completedClip), {"id": "c2", "status": "failed"}]}"#
        )
        #expect(done.state == .succeeded)
        #expect(done.failure == nil)
        #expect(AssetSelection.defaults.assets(of: done).map(\.outputID) == ["c0"])
        #expect(AssetSelection.all.assets(of: done).map(\.kind) == [.video, .thumbnail])
    }

    @Test("missing optional fields and nulls: no clips, no progress; a failed job names its failed clips")
    func missingFields() throws {
        let bare = try Self.snapshot(#"{"status": "running"}"#)
        #expect(bare.progress == nil)
        #expect(bare.assets.isEmpty)
        #expect(bare.title == nil)
        let nulls = try Self.snapshot(
            #"{"id": null, "status": "pending", "progress": null, "clips": null, "title": null, "created_at": null}"#)
        #expect(nulls.state == .queued)
        #expect(nulls.progress == nil)
        let failed = try Self.snapshot(
            #"""
            {"id": "clip-job", "status": "failed", "clips": [\#(Self.completedClip),
              {"id": "c1", "status": "failed", "title": "Q&A"}, {"id": "c2", "status": "failed"}]}
            """#)
        #expect(failed.failure?.message == "2 of 3 clips failed")
        #expect(failed.failure?.detail == "Q&A, c2")
    }

    @Test("progress: a fraction, a string, a huge, negative or non-number value never traps")
    func progress() throws {
        let cases: [(String, Int?)] = [
            ("45.9", 45), (#""60""#, 60), ("1e308", 100), ("-5", 0), ("123456789012345678901234567890", 100),
            (#""abc""#, nil), ("true", nil), ("[1]", nil), ("-1.7976931348623157e308", 0), (#""1e999""#, nil),
        ]
        for (text, expected) in cases {
            let snapshot = try Self.snapshot(#"{"id": "clip-job", "status": "running", "progress": \#(text)}"#)
            #expect(snapshot.progress == expected, "\(text)")
        }
    }

    @Test("an answer about another job, without a status, or not an object is refused")
    func refused() throws {
        for data in [#"{"id": "other", "status": "running"}"#, #"{"id": "clip-job"}"#, #""text""#] {
            #expect(throws: ReelWatchError.self) { try Self.snapshot(data) }
        }
    }

    @Test("file names: one per clip even with equal, empty or hostile titles and IDs; safe; stable")
    func names() throws {
        let snapshot = try Self.snapshot(
            #"""
            {"id": "clip-job", "status": "completed", "clips": [
              {"id": "a", "status": "completed", "video_url": "https://cdn.test/1.mp4", "title": "Same"},
              {"id": "b", "status": "completed", "video_url": "https://cdn.test/2.mp4", "title": "Same"},
              {"id": "c", "status": "completed", "video_url": "https://cdn.test/3.mp4", "title": ""},
              {"id": "d", "status": "completed", "video_url": "https://cdn.test/4.mp4", "title": null},
              {"id": "../../x", "status": "completed", "video_url": "https://cdn.test/5.mp4", "title": "../../etc/passwd"},
              {"id": "__x", "status": "completed", "video_url": "https://cdn.test/6.mp4", "title": "\u202Egpj.exe"},
              {"id": "\#(String(repeating: "z", count: 300))", "status": "completed", "video_url": "https://cdn.test/7.mp4",
               "title": "\#(String(repeating: "é", count: 300))"}]}
            """#)
        let names = snapshot.assets.map { FileNaming().name(for: $0, of: snapshot) }
        #expect(names[0] == "heygen-clip-job-video-Same-a.mp4")
        #expect(names[1] == "heygen-clip-job-video-Same-b.mp4")
        #expect(names[2] == "heygen-clip-job-video-c.mp4")
        #expect(names[3] == "heygen-clip-job-video-d.mp4")
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(!name.contains("/") && !name.contains("..") && !name.contains("\u{202E}"), "\(name)")
            #expect(name.utf8.count <= FileNaming.maximumLength)
        }
        // From the title, long titles give way to the clip's ID.
        var titled = snapshot
        titled.title = String(repeating: "t", count: 400)
        let fromTitle = titled.assets.map { FileNaming(fromTitle: true).name(for: $0, of: titled) }
        #expect(Set(fromTitle).count == fromTitle.count)
        #expect(fromTitle[0].hasSuffix("-video-Same-a.mp4"))
    }

    @Test("a running clipping job plans the clips finished so far, under the names its final plan gives them")
    func partialPlan() throws {
        let running = try Self.snapshot(
            #"""
            {"id": "clip-job", "status": "running", "clips": [
              {"id": "a", "status": "pending"},
              {"id": "b", "status": "completed", "video_url": "https://cdn.test/2.mp4", "title": "Same"},
              {"id": "c", "status": "failed", "title": "Same"}]}
            """#)
        let partial = try Downloader.plan(running, directory: "/tmp/x")
        #expect(partial.map(\.fileName) == ["heygen-clip-job-video-Same-b.mp4"])
        var finished = running
        finished.state = .succeeded
        finished.assets[0] = Asset(kind: .video, url: "https://cdn.test/1.mp4", state: .succeeded, outputID: "a")
        let final = try Downloader.plan(finished, directory: "/tmp/x")
        #expect(final.map(\.fileName) == ["heygen-clip-job-video-a.mp4", "heygen-clip-job-video-Same-b.mp4"])
        // Nothing finished yet, or an API whose files come at the end: not ready.
        let early = try Self.snapshot(#"{"id": "clip-job", "status": "running", "clips": []}"#)
        #expect(throws: ReelWatchError.self) { try Downloader.plan(early, directory: "/tmp/x") }
        var video = running
        video.ref = JobRef(api: .v3, id: "clip-job")
        let error = #expect(throws: ReelWatchError.self) { try Downloader.plan(video, directory: "/tmp/x") }
        #expect(error?.code == .notReady)
    }

    @Test("over HTTP against the simulator: clips appear one by one with progress; an unknown ID is not found")
    func simulator() async throws {
        var simulated = SimulatedJob(
            ref: JobRef(api: .clip, id: "sim"), title: "Keynote", queueTime: .seconds(30), renderTime: .seconds(300))
        simulated.clips[1].fails = true
        let job = simulated
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            var seen: [String] = []
            for step in [0, 30, 100, 100, 100] {
                await simulator.advance(by: .seconds(step))
                let snapshot = try await client.snapshot(of: job.ref)
                let clips = snapshot.assets.filter { $0.kind == .video }.map { $0.state?.rawValue ?? "-" }
                seen.append(
                    "\(snapshot.providerStatus?.rawValue ?? "-") \(snapshot.progress.map(String.init) ?? "-") "
                        + clips.joined(separator: ","))
            }
            #expect(
                seen == [
                    "pending 0 ", "running 0 ", "running 33 succeeded,queued,queued",
                    "running 66 succeeded,failed,queued", "completed 100 succeeded,failed,succeeded",
                ])
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .clip, id: "ghost"))
            }
            #expect(error.code == .jobNotFound)
        }
    }
}
