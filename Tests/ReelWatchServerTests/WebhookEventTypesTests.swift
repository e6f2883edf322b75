import Foundation
import ReelWatch
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchWebhooks
import Testing

/// Every event type HeyGen lists (`GET /v3/webhooks/event-types`), and per-render callbacks of lipsyncs and clips,
/// over real loopback HTTP to `serve`'s routes, a real SQLite store and the simulator as HeyGen.
extension WebhookServerTests {
    @Test(
        "avatar_video_caption.success for a video already downloaded: its captions and captioned video are fetched, its video, thumbnail and GIF not again"
    )
    func captionEventAfterDownload() async throws {
        try await Self.withServer([Self.rendering("cv")]) { harness in
            let ref = JobRef(api: .v3, id: "cv")
            let engine = try await Self.trackedAndPolledOnce(ref, harness, selection: .all)
            await harness.simulator.advance(by: .seconds(600))
            #expect(try await harness.post(Self.success("cv"), eventID: "evt-video").text == "made_due\n")
            try await harness.waitFor(ref) { $0?.phase == .done }
            let first = try #require(try await harness.store.job(ref))
            #expect(first.files.map(\.kind) == [.video, .thumbnail, .gif])
            #expect(first.files.allSatisfy { $0.status == .done })
            // HeyGen renders the captions after the video: the simulator's video has them from now on.
            await harness.simulator.add(
                SimulatedJob(
                    ref: ref, title: "T", queueTime: .zero, renderTime: .zero, captions: true, videoSize: 20_000))
            let caption = Self.event(
                "avatar_video_caption.success", #"{"video_id":"cv","caption_url":"https://evil.example/c.ass"}"#)
            let answer = try await harness.post(caption, eventID: "evt-caption")
            #expect(answer.status == 200)
            #expect(answer.text == "made_due\n")
            try await harness.waitFor(ref) { $0?.phase == .done && $0?.files.count == 5 }
            let job = try #require(try await harness.store.job(ref))
            #expect(job.phase == .done)
            #expect(job.files.map(\.kind) == [.video, .thumbnail, .gif, .captionedVideo, .captions])
            #expect(job.files.allSatisfy { $0.status == .done })
            for file in job.files { #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path)") }
            // Each file was sent once: the video's bytes once, not again for the captions.
            #expect(await harness.simulator.bytesServed(path: "/files/v3/cv/video.mp4") == 20_000)
            #expect(await harness.simulator.bytesServed(path: "/files/v3/cv/caption.mp4") == 20_000)
            #expect(await harness.simulator.statusRequestCount(for: ref) == 3)
            #expect(try await harness.store.history(of: ref).map(\.state) == [.processing, .succeeded])
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("a reopened video whose poll fails is polled again after a backoff, never at once in a loop")
    func reopenedPollFails() async throws {
        try await Self.withServer([Self.rendering("ev")]) { harness in
            let ref = JobRef(api: .v3, id: "ev")
            let engine = try await Self.trackedAndPolledOnce(ref, harness)
            await harness.simulator.advance(by: .seconds(600))
            #expect(try await harness.post(Self.success("ev"), eventID: "evt-video").text == "made_due\n")
            try await harness.waitFor(ref) { $0?.phase == .done }
            await harness.simulator.inject(.serverError(status: 500), for: ref)
            let gif = Self.event("avatar_video_gif.success", #"{"video_id":"ev"}"#)
            #expect(try await harness.post(gif, eventID: "evt-gif").text == "made_due\n")
            try await harness.waitFor(ref) { $0?.lastError != nil }
            // The engine's clock does not move: a job due "now" again would be polled over and over meanwhile.
            try await Task.sleep(for: .milliseconds(300))
            let job = try #require(try await harness.store.job(ref))
            #expect(job.phase == .polling)
            #expect(job.state == .succeeded)
            #expect(job.nextPollAt > harness.now)
            #expect(await harness.simulator.statusRequestCount(for: ref) == 3)
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test(
        "avatar_video_gif.success for a video still rendering makes it due; avatar_video_caption.fail for a failed one changes nothing"
    )
    func fileEventsWhileRenderingAndAfterFailure() async throws {
        let failure = SimulatedJob.documentedFailure(for: .v3)
        try await Self.withServer([Self.rendering("g1"), Self.rendering("f1", outcome: failure)]) { harness in
            let rendering = JobRef(api: .v3, id: "g1")
            let failed = JobRef(api: .v3, id: "f1")
            let later = harness.now.addingTimeInterval(600)
            for ref in [rendering, failed] {
                _ = try await harness.store.track(TrackRequest(ref: ref), at: harness.now)
            }
            try await harness.store.record([
                PollUpdate(
                    ref: rendering, snapshot: JobSnapshot(ref: rendering, state: .processing), nextPollAt: later,
                    at: harness.now),
                PollUpdate(
                    ref: failed, snapshot: JobSnapshot(ref: failed, state: .failed), nextPollAt: later,
                    at: harness.now),
            ])
            let gif = try await harness.post(
                Self.event("avatar_video_gif.success", #"{"video_id":"g1","gif_url":"u"}"#), eventID: "evt-gif")
            #expect(gif.text == "made_due\n")
            #expect(try await harness.store.job(rendering)?.nextPollAt == harness.now)
            let before = try await harness.store.job(failed)
            let caption = try await harness.post(
                Self.event("avatar_video_caption.fail", #"{"video_id":"f1"}"#), eventID: "evt-cap-fail")
            #expect(caption.status == 200)
            #expect(caption.text == "ignored\n")
            #expect(try await harness.store.job(failed) == before)
            #expect(
                try harness.events() == [
                    ["evt-cap-fail", "avatar_video_caption.fail", "heygen:f1"],
                    ["evt-gif", "avatar_video_gif.success", "heygen:g1"],
                ])
        }
    }

    @Test(
        "every type HeyGen lists that names no job reelwatch follows, and one it does not list: recorded, counted, 200 not_followed"
    )
    func typesNotFollowed() async throws {
        let types = [
            "instant_avatar.success", "instant_avatar.fail", "photo_avatar_generation.success",
            "photo_avatar_generation.fail", "photo_avatar_train.success", "photo_avatar_train.fail",
            "photo_avatar_add_motion.success", "photo_avatar_add_motion.fail", "live_avatar.success",
            "live_avatar.fail", "personalized_video", "brand_new.event",
        ]
        try await Self.withServer { harness in
            for (index, type) in types.enumerated() {
                let answer = try await harness.post(
                    Self.event(type, #"{"id":"x\#(index)","video_id":"v\#(index)"}"#), eventID: "evt-\(index)")
                #expect(answer.status == 200, "\(type)")
                #expect(answer.text == "not_followed\n", "\(type)")
                #expect(WebhookDelivery.knownTypes[type] == nil)
            }
            // The same event again is a duplicate, and not counted twice.
            let again = try await harness.post(Self.event(types[0], #"{"id":"x0","video_id":"v0"}"#), eventID: "evt-0")
            #expect(again.text == "duplicate\n")
            #expect(try harness.events().count == types.count)
            #expect(try harness.events().allSatisfy { $0[2] == nil })
            #expect(harness.receiver.notFollowedCount == Dictionary(uniqueKeysWithValues: types.map { ($0, 1) }))
            #expect(try await harness.store.jobs(in: nil).isEmpty)
        }
    }

    @Test("each type reelwatch acts on names the job of its API; the GIF and caption types reopen a finished video")
    func typesActedOn() {
        let expected: [String: ProviderAPI] = [
            "avatar_video.success": .v3, "avatar_video.fail": .v3, "avatar_video_gif.success": .v3,
            "avatar_video_gif.fail": .v3, "avatar_video_caption.success": .v3, "avatar_video_caption.fail": .v3,
            "video_translate.success": .translate, "video_translate.fail": .translate,
            "video_agent.success": .agent, "video_agent.fail": .agent,
            "proofread_creation.success": .proofread, "proofread_creation.fail": .proofread,
        ]
        #expect(WebhookDelivery.knownTypes == expected)
        #expect(
            WebhookDelivery.fileTypes == [
                "avatar_video_gif.success", "avatar_video_gif.fail", "avatar_video_caption.success",
                "avatar_video_caption.fail",
            ])
        // A subscription to the video's two events covers v3 videos; the GIF and caption events are extras.
        #expect(
            WebhookDelivery.coveredAPIs(subscribedTo: ["avatar_video.success", "avatar_video.fail"]) == [.v3])
    }

    @Test(
        "per-render callbacks of a lipsync (lipsync_id) and a clipping job (id): unsigned on the token path, each job polled at once and its files saved"
    )
    func lipsyncAndClipCallbacks() async throws {
        let jobs = [Self.rendering("l1", api: .lipsync), Self.rendering("k1", api: .clip)]
        try await Self.withServer(jobs, trackUntracked: true) { harness in
            let lipsync = JobRef(api: .lipsync, id: "l1")
            let clip = JobRef(api: .clip, id: "k1")
            _ = try await harness.store.track(
                TrackRequest(ref: clip, downloadDirectory: harness.downloads), at: harness.now)
            let engine = try await Self.trackedAndPolledOnce(lipsync, harness)
            try await harness.waitFor(clip) { $0?.state != nil }
            await harness.simulator.advance(by: .seconds(600))
            let path = "\(WebhookServer.callbackPath)/\(try await harness.store.callbackToken())"
            let bodies: [(String, String)] = [
                ("evt-l1", #"{"lipsync_id":"l1","status":"completed","video_url":"https://evil.example/x.mp4"}"#),
                // `id` could be a lipsync's or a clipping job's: the one tracked is made due.
                ("evt-k1", #"{"event_data":{"id":"k1"},"status":"completed"}"#),
            ]
            for (eventID, body) in bodies {
                let answer = try await harness.post(Array(body.utf8), eventID: eventID, secret: nil, path: path)
                #expect(answer.status == 200, "\(body)")
                #expect(answer.text == "made_due\n", "\(body)")
            }
            for ref in [lipsync, clip] {
                try await harness.waitFor(ref) { $0?.phase == .done }
                let job = try #require(try await harness.store.job(ref))
                #expect(job.state == .succeeded, "\(ref)")
                #expect(!job.files.isEmpty && job.files.allSatisfy { $0.status == .done }, "\(ref)")
            }
            #expect(
                try harness.events() == [
                    ["evt-k1", WebhookDelivery.callbackType, "heygen-clip:k1"],
                    ["evt-l1", WebhookDelivery.callbackType, "heygen-lipsync:l1"],
                ])
            // An ID no tracked job has is recorded and ignored (never tracked from an unsigned body); a body
            // without any ID key, or not an object, is 400.
            let unknown = try await harness.post(
                Array(#"{"clip_id":"zz"}"#.utf8), eventID: "evt-zz", secret: nil, path: path)
            #expect(unknown.text == "ignored\n")
            #expect(try await harness.store.job(JobRef(api: .clip, id: "zz")) == nil)
            for body in [#"{"status":"completed"}"#, #"["l1"]"#, #"{"lipsync_id":7}"#] {
                let refused = try await harness.post(Array(body.utf8), eventID: "evt-bad", secret: nil, path: path)
                #expect(refused.status == 400, "\(body)")
                #expect(refused.text == "malformed\n", "\(body)")
            }
            engine.cancel()
            _ = try await engine.value
        }
    }
}
