import Foundation
import NIOHTTP1
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen's list of webhook events (`GET /heygen/v3/webhooks/events`) served by the simulator, and the webhook
/// loop of a served simulator.
@Suite("Simulator webhook events list")
struct SimulatorWebhookEventsTests {
    typealias Base = WebhookDispatcherTests

    /// Serves `simulator` without its own webhook loop (the test drives deliveries).
    static func serve<Result: Sendable>(
        _ simulator: Simulator, _ body: @Sendable (SimulatorServer.Endpoint) async throws -> Result
    ) async throws -> Result {
        try await SimulatorServer(simulator: simulator, webhookInterval: nil, logger: SimulatorHarness.quiet)
            .withRunning(body)
    }

    static func ids(_ body: JSONValue) -> [String] {
        (body["data"]?.arrayValue ?? []).compactMap { $0["event_data"]?["video_id"]?.text }
    }

    /// 25 v3 jobs ending one second apart (`v1` first); every third one fails.
    static func ended() async -> Simulator {
        let simulator = await Base.simulator(
            (1...25).map { index in
                Base.job(
                    .v3, "v\(index)", end: index * 10,
                    outcome: index % 3 == 0 ? SimulatedJob.documentedFailure(for: .v3) : .success)
            })
        await simulator.advance(by: .seconds(300))
        return simulator
    }

    @Test("events page newest first: default 20, has_more and next_token; tokens stay valid as events are added")
    func paging() async throws {
        let simulator = await Self.ended()
        try await Self.serve(simulator) { endpoint in
            let url = "\(endpoint.heygenURL)/v3/webhooks/events"
            let first = try await RawHTTP.get(url)
            #expect(first.status == 200)
            let firstBody = try first.json
            #expect(Self.ids(firstBody) == (6...25).reversed().map { "v\($0)" })
            #expect(firstBody["has_more"] == true)
            let entry = try #require(firstBody["data"]?.arrayValue?.first)
            let events = await simulator.webhookEvents
            #expect(entry == events.last?.listEntry)
            #expect(entry["event_id"]?.text == events.last?.id)
            #expect(entry["event_type"] == "avatar_video.success")
            #expect(entry["created_at"]?.number == 1_800_000_250)

            // A newer event does not shift the next page.
            await simulator.add(Base.job(.v3, "v26", end: 0))
            let token = try #require(firstBody["next_token"]?.text)
            let second = try await RawHTTP.get("\(url)?token=\(token)").json
            #expect(Self.ids(second) == (1...5).reversed().map { "v\($0)" })
            #expect(second["has_more"] == false)
            #expect(second["next_token"] == .null)
            #expect(Self.ids(try await RawHTTP.get("\(url)?limit=2").json) == ["v26", "v25"])
            #expect(Self.ids(try await RawHTTP.get("\(url)?limit=0").json) == ["v26"], "clamped to 1")
            #expect(Self.ids(try await RawHTTP.get("\(url)?limit=1000").json).count == 26, "clamped to 100")

            // reelwatch's own reader of the list reads it.
            let page = try await SimulatorHarness.client(endpoint).webhookEventPage(limit: 3)
            let now = await simulator.webhookEvents
            #expect(now.count == 26)
            #expect(page.events.map(\.id) == now.suffix(3).reversed().map(\.id))
            #expect(page.events.first?.createdAt == Base.epoch.addingTimeInterval(300))
            #expect(page.nextToken != nil)
            #expect(await simulator.counts.eventListRequests == 6)
        }
    }

    @Test("events are filtered by event_type, paged within the filter")
    func filter() async throws {
        let simulator = await Self.ended()
        try await Self.serve(simulator) { endpoint in
            let url = "\(endpoint.heygenURL)/v3/webhooks/events?event_type=avatar_video.fail&limit=3"
            let first = try await RawHTTP.get(url).json
            #expect(Self.ids(first) == ["v24", "v21", "v18"])
            let second = try await RawHTTP.get("\(url)&token=\(try #require(first["next_token"]?.text))").json
            #expect(Self.ids(second) == ["v15", "v12", "v9"])
            let third = try await RawHTTP.get("\(url)&token=\(try #require(second["next_token"]?.text))").json
            #expect(Self.ids(third) == ["v6", "v3"])
            #expect(third["has_more"] == false)
            let none = try await RawHTTP.get("\(endpoint.heygenURL)/v3/webhooks/events?event_type=other").json
            #expect(none["data"] == [])
            #expect(none["has_more"] == false)
        }
    }

    @Test("dropped and refused events are listed all the same; the list makes events the dispatcher then sends")
    func listsEveryEvent() async throws {
        try await WebhookReceiverStub.withRunning(secret: Base.secret) { stub, port in
            let simulator = await Base.simulator([Base.job(.v3, "a", end: 10), Base.job(.translate, "b", end: 20)])
            await simulator.addWebhookDestination(Base.signed(port))
            await simulator.advance(by: .seconds(20))
            try await Self.serve(simulator) { endpoint in
                let url = "\(endpoint.heygenURL)/v3/webhooks/events"
                let listed = try await RawHTTP.get(url).json
                #expect(listed["data"]?.arrayValue?.count == 2)
                #expect(await Base.dispatcher(simulator).deliverDue().count == 2)
                #expect(await stub.received.count == 2)

                await simulator.injectWebhookFaults(WebhookFaults(drop: 1))
                await simulator.add(Base.job(.v3, "c", end: 0))
                #expect(await Base.dispatcher(simulator).deliverDue().map(\.delivered) == [false])
                await simulator.injectWebhookFaults(WebhookFaults(badSignature: 1))
                await simulator.add(Base.job(.v3, "d", end: 0))
                #expect(await Base.dispatcher(simulator).deliverDue().map(\.lastStatus) == [401])
                #expect(await stub.received.count == 3, "c dropped, d refused once")
                let after = try await RawHTTP.get(url).json
                let listedIDs = after["data"]?.arrayValue?.compactMap { $0["event_id"]?.text }
                #expect(listedIDs == (await simulator.webhookEvents).reversed().map(\.id))
                #expect(listedIDs?.count == 4)
            }
        }
    }

    @Test("the list needs the key, refuses a bad limit or token, and meets global faults")
    func refusals() async throws {
        let simulator = await Self.ended()
        try await Self.serve(simulator) { endpoint in
            let url = "\(endpoint.heygenURL)/v3/webhooks/events"
            let unauthorized = try await RawHTTP.get(url, apiKey: nil)
            #expect(unauthorized.status == 401)
            #expect(try unauthorized.json["error"]?["code"] == "unauthorized")
            #expect(try await RawHTTP.get(url, apiKey: "wrong").status == 401)
            let badLimit = try await RawHTTP.get("\(url)?limit=ten")
            #expect(badLimit.status == 400)
            #expect(try badLimit.json["error"]?["code"] == "invalid_parameter")
            #expect(try await RawHTTP.get("\(url)?token=nonsense").status == 400)
            #expect(try await RawHTTP.get("\(url)?token=evt-before-999").status == 400)
            await simulator.inject(.rateLimited(retryAfter: 3), times: 1)
            let limited = try await RawHTTP.get(url)
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "Retry-After") == "3")
            #expect(try await RawHTTP.get(url).status == 200)
            #expect(await simulator.counts.eventListRequests == 7)
        }
    }

    @Test("a served simulator delivers by itself: withRunning and run")
    func servedSimulatorDelivers() async throws {
        try await WebhookReceiverStub.withRunning(secret: Base.secret) { stub, port in
            let simulator = await Base.simulator()
            await simulator.addWebhookDestination(Base.signed(port))
            let server = SimulatorServer(
                simulator: simulator, webhookInterval: .milliseconds(5), wallClock: { Base.wallDate },
                logger: SimulatorHarness.quiet)
            try await server.withRunning { _ in
                await simulator.add(Base.job(.v3, "a", end: 0))
                for _ in 0..<2000 where await stub.received.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(await stub.received.count == 1)
            #expect(await stub.received.first?.header("Heygen-Timestamp") == "1900000123")

            let (ready, readiness) = AsyncStream<SimulatorServer.Endpoint>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run { readiness.yield($0) } }
                var endpoints = ready.makeAsyncIterator()
                let endpoint = try #require(await endpoints.next())
                await simulator.add(Base.job(.v3, "b", end: 0))
                for _ in 0..<2000 where await stub.received.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
                let received = await stub.received
                #expect(received.count == 2)
                let body = try JSONValue.parse(try #require(received.last?.body))
                let url = try #require(body["event_data"]?["url"]?.text)
                #expect(url.hasPrefix("\(endpoint.fileBase)/files/v3/b/video.mp4?"))
                group.cancelAll()
            }
        }
    }
}
