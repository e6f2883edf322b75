import Foundation
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTesting
import ReelWatchWebhooks
import Testing

/// Polling as the safety net: jobs webhooks cover are polled only every safety delay, and an event brings the
/// poll forward — as one detail call, never a bulk status that would only precede it.
@Suite("Push safety net", .timeLimit(.minutes(3)))
struct PushSafetyNetTests {
    @Test("covered jobs are polled every safety delay, not on their render-time schedule; an event: one detail call")
    func safetyDelayAndEventDetail() async throws {
        try await WebhookServerTests.withServer([
            WebhookServerTests.rendering("s1"), WebhookServerTests.rendering("s2"),
        ]) { harness in
            let (first, second) = (JobRef(api: .v3, id: "s1"), JobRef(api: .v3, id: "s2"))
            let push = PushCoverage(safetyDelay: .seconds(900), apis: [.v3])
            for ref in [first, second] {
                _ = try await harness.store.track(
                    TrackRequest(ref: ref, downloadDirectory: harness.downloads), at: harness.now)
            }
            let engine = harness.engine(push: push, bulk: true)
            for ref in [first, second] { try await harness.waitFor(ref) { $0?.state != nil } }
            // Both asked in one bulk call; next due a safety delay later (the render-time schedule would say at
            // most the 300 s maximum delay).
            #expect(await harness.simulator.bulkRequestCount == 1)
            for ref in [first, second] {
                let job = try #require(try await harness.store.job(ref))
                #expect(job.state == .processing)
                #expect(job.nextPollAt == harness.now.addingTimeInterval(900))
                #expect(job.backoffPolls == 0)
            }
            await harness.simulator.advance(by: .seconds(600))
            #expect(try await harness.post(WebhookServerTests.success("s1")).text == "made_due\n")
            try await harness.waitFor(first) { $0?.phase == .done }
            #expect(await harness.simulator.bulkRequestCount == 1, "the event's poll is not a bulk call")
            #expect(await harness.simulator.statusRequestCount(for: first) == 1, "one detail call, with the links")
            #expect(try await harness.store.job(first)?.files.map(\.status) == [.done])
            #expect(try await harness.store.job(second)?.nextPollAt == harness.now.addingTimeInterval(900))
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("an event's poll that fails is tried again on the job's own schedule, not a safety delay later")
    func failedPollRetriesOnSchedule() async throws {
        try await WebhookServerTests.withServer([WebhookServerTests.rendering("f1")]) { harness in
            let ref = JobRef(api: .v3, id: "f1")
            let push = PushCoverage(safetyDelay: .seconds(900), apis: [.v3])
            _ = try await harness.store.track(
                TrackRequest(ref: ref, downloadDirectory: harness.downloads), at: harness.now)
            let engine = harness.engine(push: push)
            try await harness.waitFor(ref) { $0?.state != nil }
            #expect(try await harness.store.job(ref)?.nextPollAt == harness.now.addingTimeInterval(900))
            // The render ends; its event makes the job due, but the provider answers that poll with a 503.
            await harness.simulator.advance(by: .seconds(600))
            await harness.simulator.inject(.serverError(status: 503), times: 1, for: ref)
            #expect(try await harness.post(WebhookServerTests.success("f1")).text == "made_due\n")
            try await harness.waitFor(ref) { $0?.lastError != nil }
            let failed = try #require(try await harness.store.job(ref))
            #expect(failed.phase == .polling)
            // Asked again within the schedule's longest delay (300 s here), not the safety net's 900 s.
            let next = failed.nextPollAt.timeIntervalSince(harness.now)
            #expect(next > 0 && next <= 300, "next poll in \(next) s")
            harness.clock.advance(by: .seconds(next))
            await harness.simulator.advance(by: .seconds(next))
            try await harness.waitFor(ref) { $0?.phase == .done }
            #expect(try await harness.store.job(ref)?.files.map(\.status) == [.done])
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("without coverage of its API a job keeps its render-time schedule")
    func uncoveredKeepsSchedule() async throws {
        try await WebhookServerTests.withServer([WebhookServerTests.rendering("u1")]) { harness in
            let ref = JobRef(api: .v3, id: "u1")
            let push = PushCoverage(safetyDelay: .seconds(900), apis: [.translate])
            _ = try await harness.store.track(TrackRequest(ref: ref), at: harness.now)
            let engine = harness.engine(push: push)
            try await harness.waitFor(ref) { $0?.state != nil }
            let job = try #require(try await harness.store.job(ref))
            #expect(job.nextPollAt <= harness.now.addingTimeInterval(300))
            push.cover([.v3, .translate])
            #expect(push.covers(.v3))
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("an endpoint covers the APIs whose success and failure events it receives")
    func coveredAPIs() {
        #expect(WebhookDelivery.coveredAPIs(subscribedTo: nil) == [.v3, .translate, .proofread, .agent])
        #expect(WebhookDelivery.coveredAPIs(subscribedTo: []) == [.v3, .translate, .proofread, .agent])
        #expect(WebhookDelivery.coveredAPIs(subscribedTo: ["avatar_video.success", "avatar_video.fail"]) == [.v3])
        #expect(WebhookDelivery.coveredAPIs(subscribedTo: ["avatar_video.success", "video_translate.fail"]).isEmpty)
        #expect(
            WebhookDelivery.coveredAPIs(subscribedTo: ["video_translate.success", "video_translate.fail"])
                == [.translate])
        #expect(
            WebhookDelivery.coveredAPIs(subscribedTo: ["proofread_creation.success", "proofread_creation.fail"])
                == [.proofread])
    }
}
