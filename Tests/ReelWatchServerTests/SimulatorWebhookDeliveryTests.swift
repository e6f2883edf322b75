import Foundation
import Logging
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import ReelWatchWebhooks
import Testing

/// End to end: the simulator delivers its own webhooks, signed, to `serve`'s real receiver over loopback HTTP; the
/// engine polls the job it names at once. A delivery lost to a fault is caught from the simulator's list of events.
@Suite("Simulator webhooks to serve")
struct SimulatorWebhookDeliveryTests {
    typealias Server = WebhookServerTests

    static func destination(_ harness: Server.Harness, secret: String = Server.secret) -> WebhookDestination {
        WebhookDestination(url: "http://127.0.0.1:\(harness.port)\(WebhookServer.webhookPath)", secret: secret)
    }

    @Test("the simulator's signed delivery makes the tracked job due: polled at once, its file downloaded")
    func deliveryMakesJobDue() async throws {
        try await Server.withServer([Server.rendering("s1")]) { harness in
            let ref = JobRef(api: .v3, id: "s1")
            let engine = try await Server.trackedAndPolledOnce(ref, harness)
            await harness.simulator.addWebhookDestination(Self.destination(harness))
            // The render ends at HeyGen; the engine's clock does not move, so only the webhook can bring news.
            await harness.simulator.advance(by: .seconds(600))
            try await harness.waitFor(ref) { $0?.phase == .done }
            let job = try #require(try await harness.store.job(ref))
            #expect(job.state == .succeeded)
            #expect(job.files.map(\.status) == [.done])
            #expect(harness.clock.now.offset == .zero)
            let event = try #require(await harness.simulator.webhookEvents.first)
            #expect(try harness.events() == [[event.id, "avatar_video.success", "heygen:s1"]])
            let deliveries = await harness.simulator.webhookDeliveries
            #expect(deliveries.map(\.lastStatus) == [200])
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("proofread_creation.success makes the tracked proofread due: polled at once, /srt asked, both captions saved")
    func proofreadDeliveryMakesJobDue() async throws {
        let ref = JobRef(api: .proofread, id: "p1")
        let job = SimulatedJob(ref: ref, queueTime: .zero, renderTime: .seconds(600))
        try await Server.withServer([job]) { harness in
            let engine = try await Server.trackedAndPolledOnce(ref, harness)
            await harness.simulator.addWebhookDestination(Self.destination(harness))
            // Only the webhook can bring news: the engine's clock does not move.
            await harness.simulator.advance(by: .seconds(600))
            try await harness.waitFor(ref) { $0?.phase == .done }
            let tracked = try #require(try await harness.store.job(ref))
            #expect(tracked.state == .succeeded)
            #expect(tracked.files.map(\.status) == [.done, .done])
            #expect(harness.clock.now.offset == .zero)
            #expect(await harness.simulator.requestCount(forPath: "/v3/video-translations/proofreads/p1/srt") >= 1)
            let event = try #require(await harness.simulator.webhookEvents.first)
            #expect(try harness.events() == [[event.id, "proofread_creation.success", "heygen-proofread:p1"]])
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test(
        "a delivery dropped, or refused for a bad signature (401, not retried): reconciling recovers it",
        arguments: [(WebhookFaults(badSignature: 1), 401, 1), (WebhookFaults(drop: 1), nil, 0)])
    func missedThenReconciled(faults: WebhookFaults, status: Int?, attempts: Int) async throws {
        try await Server.withServer([Server.rendering("s2", outcome: SimulatedJob.documentedFailure(for: .v3))]) {
            harness in
            let ref = JobRef(api: .v3, id: "s2")
            let engine = try await Server.trackedAndPolledOnce(ref, harness)
            await harness.simulator.injectWebhookFaults(faults)
            await harness.simulator.addWebhookDestination(Self.destination(harness))
            await harness.simulator.advance(by: .seconds(600))
            for _ in 0..<2000 where await harness.simulator.webhookDeliveries.isEmpty {
                try await Task.sleep(for: .milliseconds(5))
            }
            let delivery = try #require(await harness.simulator.webhookDeliveries.first)
            #expect(delivery.lastStatus == status)
            #expect(delivery.attempts == attempts)
            #expect(!delivery.delivered)
            #expect(try await harness.store.job(ref)?.phase != .done)
            #expect(try harness.events().isEmpty)

            let receiver = WebhookReceiver(
                signature: try WebhookSignature(secrets: [Server.secret]), store: harness.store, news: harness.news,
                wallClock: { harness.now }, logger: SimulatorHarness.quiet)
            let reconciler = WebhookReconciler(
                receiver: receiver, client: harness.client, logger: SimulatorHarness.quiet)
            let summary = try await reconciler.reconcile()
            #expect(summary.outcomes == [.madeDue: 1])
            try await harness.waitFor(ref) { $0?.phase == .done }
            #expect(try await harness.store.job(ref)?.state == .failed)
            #expect(try harness.events() == [[delivery.eventID, "avatar_video.fail", "heygen:s2"]])
            engine.cancel()
            _ = try await engine.value
        }
    }
}
