import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import ReelWatchWebhooks
import Testing

/// The simulator's webhook deliveries over real loopback HTTP to a recording receiver: bodies, headers and
/// signatures as HeyGen sends them, each event made once, retries, and the seeded faults.
@Suite("Simulator webhook deliveries")
struct WebhookDispatcherTests {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
    /// The real date deliveries are stamped with: far from simulated time, as with a large time scale.
    static let wallDate = Date(timeIntervalSince1970: 1_900_000_123.7)
    static let secret = "whsec_simulator_test"
    static let fileBase = "http://127.0.0.1:9"

    /// A job added at simulated time zero that ends after `end` seconds (a tenth of it queued).
    static func job(
        _ api: ProviderAPI, _ id: String, end: Int, outcome: SimulatedJob.Outcome = .success,
        callbackID: String? = nil
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), queueTime: .seconds(end / 10), renderTime: .seconds(end - end / 10),
            outcome: outcome, callbackID: callbackID)
    }

    static func simulator(_ jobs: [SimulatedJob] = []) async -> Simulator {
        let simulator = Simulator(timeScale: 0, epoch: epoch, eventIDSeed: 7)
        await simulator.add(jobs)
        return simulator
    }

    static func dispatcher(
        _ simulator: Simulator, clock: some Clock<Duration> = ContinuousClock(),
        retryDelays: [Duration] = [.milliseconds(5), .milliseconds(5), .milliseconds(5)],
        deliveryTimeout: Duration = WebhookDispatcher.defaultDeliveryTimeout
    ) -> WebhookDispatcher {
        WebhookDispatcher(
            simulator: simulator, fileBase: fileBase, retryDelays: retryDelays, deliveryTimeout: deliveryTimeout,
            clock: clock,
            wallClock: { wallDate }, logger: SimulatorHarness.quiet)
    }

    static func signed(_ port: Int) -> WebhookDestination {
        WebhookDestination(url: "http://127.0.0.1:\(port)/signed", secret: secret)
    }

    static func body(_ type: String, _ data: JSONValue) -> JSONValue {
        ["event_type": .string(type), "event_data": data]
    }

    @Test("each kind of HeyGen render sends its event as HeyGen does: exact body, signature, wall-clock timestamp, ID")
    func bodiesAndHeaders() async throws {
        try await WebhookReceiverStub.withRunning(secret: Self.secret) { stub, port in
            let simulator = await Self.simulator([
                Self.job(.v3, "v-ok", end: 330, callbackID: "cb-1"),
                Self.job(.v3, "v-bad", end: 340, outcome: SimulatedJob.documentedFailure(for: .v3)),
                Self.job(.translate, "t-ok", end: 350),
                Self.job(.translateV2, "t2-bad", end: 360, outcome: SimulatedJob.documentedFailure(for: .translate)),
                Self.job(.v1, "v1-ok", end: 370),
                Self.job(.hera, "h-ok", end: 300),
            ])
            await simulator.addWebhookDestination(Self.signed(port))
            await simulator.advance(by: .seconds(400))
            let records = await Self.dispatcher(simulator).deliverDue()
            #expect(records.count == 5)
            #expect(records.allSatisfy { $0.delivered && $0.attempts == 1 && $0.lastStatus == 200 })

            let events = await simulator.webhookEvents
            #expect(events.map(\.ref.id) == ["v-ok", "v-bad", "t-ok", "t2-bad", "v1-ok"], "in end order, no Hera")
            #expect(events.map(\.sequence) == Array(0..<5))
            #expect(
                events.map(\.createdAt.timeIntervalSince1970) == [330, 340, 350, 360, 370].map { 1_800_000_000 + $0 })
            #expect(Set(events.map(\.id)).count == 5)
            #expect(events.allSatisfy { $0.id.wholeMatch(of: /evt_[0-9a-f]{24}/) != nil })

            let expected: [String: JSONValue] = [
                "v-ok": Self.body(
                    "avatar_video.success",
                    [
                        "video_id": "v-ok", "callback_id": "cb-1",
                        "url": .string(
                            "\(Self.fileBase)/files/v3/v-ok/video.mp4?Expires=\(1_800_000_330 + 604_800)"
                                + "&Signature=c2ltdWxhdGVk~c2lnbmF0dXJl&Key-Pair-Id=KSIMULATOR"),
                    ]),
                "v-bad": Self.body(
                    "avatar_video.fail",
                    ["video_id": "v-bad", "msg": "Script too long for selected avatar", "callback_id": nil]),
                "t-ok": Self.body(
                    "video_translate.success",
                    [
                        "video_translate_id": "t-ok", "callback_id": nil, "output_language": "Urdu (Pakistan)",
                        "url": .string(
                            "\(Self.fileBase)/files/translate/t-ok/translated.mp4?response-content-disposition="
                                + "attachment%3B+filename%2A%3DUTF-8%27%27translated.mp4%3B"),
                    ]),
                "t2-bad": Self.body(
                    "video_translate.fail",
                    [
                        "video_translate_id": "t2-bad", "callback_id": nil, "output_language": "Urdu (Pakistan)",
                        "message": "No speech was detected in the source video",
                    ]),
                "v1-ok": Self.body(
                    "avatar_video.success",
                    [
                        "video_id": "v1-ok", "callback_id": nil,
                        "url": .string(
                            "\(Self.fileBase)/files/v1/v1-ok/video.mp4?Expires=\(1_800_000_370 + 604_800)"
                                + "&Signature=c2ltdWxhdGVk~c2lnbmF0dXJl&Key-Pair-Id=KSIMULATOR"),
                    ]),
            ]
            let received = await stub.received
            #expect(received.count == 5)
            let check = try WebhookSignature(secrets: [Self.secret])
            for request in received {
                let event = try #require(events.first { $0.id == request.eventID })
                let body = try #require(expected[event.ref.id])
                #expect(request.body == body.serialized(), "the exact bytes of \(event.ref.id)")
                #expect(try JSONValue.parse(request.body) == body)
                #expect(event.body == body)
                #expect(check.isValid(try #require(request.header("Heygen-Signature")), for: request.body))
                #expect(request.header("Heygen-Signature") == WebhookSignature.sign(request.body, secret: Self.secret))
                #expect(request.header("Heygen-Timestamp") == "1900000123")
                #expect(request.header("Content-Type") == "application/json")
                // What serve's receiver reads from it: the job it names.
                let delivery = try WebhookDelivery(parsing: request.body)
                #expect(delivery.eventType == event.type)
                #expect(delivery.ref?.id == event.ref.id)
            }
            let counts = await simulator.counts
            #expect(counts.webhookEvents == 5)
            #expect(counts.webhookDeliveries == 5)
            #expect(counts.webhooksDelivered == 5)
            #expect(counts.webhookRequests == 5)
        }
    }

    @Test("an event is made once, when simulated time passes the render's end, however often deliveries run")
    func eachEventOnce() async throws {
        try await WebhookReceiverStub.withRunning { stub, port in
            let simulator = await Self.simulator([Self.job(.v3, "v", end: 100), Self.job(.hera, "h", end: 50)])
            await simulator.addWebhookDestination(WebhookDestination(url: "http://127.0.0.1:\(port)/plain"))
            let dispatcher = Self.dispatcher(simulator)
            await simulator.advance(by: .seconds(99))
            #expect(await dispatcher.deliverDue().isEmpty, "not ended yet (the Hera job has, and sends nothing)")
            await simulator.advance(by: .seconds(1))
            #expect(await dispatcher.deliverDue().count == 1)
            for _ in 0..<3 {
                await simulator.advance(by: .seconds(100))
                #expect(await dispatcher.deliverDue().isEmpty)
            }
            #expect(await stub.received.count == 1)
            #expect(await simulator.webhookEvents.count == 1)
            #expect(await simulator.counts.webhookEvents == 1)
        }
    }

    @Test("a job replaced before it ends sends one event, at the new job's end")
    func replacedJob() async throws {
        let simulator = await Self.simulator([Self.job(.v3, "v", end: 100)])
        await simulator.advance(by: .seconds(50))
        await simulator.add(Self.job(.v3, "v", end: 100, outcome: SimulatedJob.documentedFailure(for: .v3)))
        await simulator.advance(by: .seconds(60))
        #expect(await simulator.takeEndedEvents(fileBase: Self.fileBase).isEmpty)
        await simulator.advance(by: .seconds(40))
        let events = await simulator.takeEndedEvents(fileBase: Self.fileBase)
        #expect(events.map(\.type) == ["avatar_video.fail"])
        #expect(events.first?.createdAt == Self.epoch.addingTimeInterval(150))
    }

    @Test("10,000 renders: events come in end order, each once, without scanning every job")
    func manyJobs() async throws {
        // Ends are a permutation of 0..<10,000 seconds.
        let jobs = (0..<10_000).map { index in
            SimulatedJob(
                ref: JobRef(api: .v3, id: "j\(index)"), queueTime: .zero, renderTime: .seconds(index * 7919 % 10_000))
        }
        let simulator = await Self.simulator(jobs)
        await simulator.advance(by: .seconds(5000))
        let first = await simulator.takeEndedEvents(fileBase: Self.fileBase)
        #expect(first.count == 5001)
        #expect(zip(first, first.dropFirst()).allSatisfy { $0.createdAt <= $1.createdAt })
        await simulator.advance(by: .seconds(5000))
        let rest = await simulator.takeEndedEvents(fileBase: Self.fileBase)
        #expect(rest.count == 4999)
        #expect(Set((first + rest).map(\.ref.id)).count == 10_000)
        #expect(Set((first + rest).map(\.id)).count == 10_000)
        #expect(await simulator.takeEndedEvents(fileBase: Self.fileBase).isEmpty)
    }

    @Test("a delivery answered 500 is sent again, with the same ID and body, until answered 200")
    func retryAfterServerError() async throws {
        try await WebhookReceiverStub.withRunning(statuses: [500, 503]) { stub, port in
            let simulator = await Self.simulator([Self.job(.v3, "v", end: 10)])
            await simulator.addWebhookDestination(Self.signed(port))
            await simulator.advance(by: .seconds(10))
            let records = await Self.dispatcher(simulator).deliverDue()
            let record = try #require(records.first)
            #expect(record.attempts == 3)
            #expect(record.lastStatus == 200)
            #expect(record.delivered)
            let received = await stub.received
            #expect(received.count == 3)
            #expect(Set(received.map(\.eventID)).count == 1)
            #expect(Set(received.map(\.body)).count == 1)
            #expect(await simulator.counts.webhookRequests == 3)
            #expect(await simulator.counts.webhooksDelivered == 1)
        }
    }

    @Test("a delivery never answered 2xx is given up after its retries; a 401 is not retried")
    func retriesSpent() async throws {
        try await WebhookReceiverStub.withRunning(statuses: [502, 502, 502, 502, 401]) { stub, port in
            let simulator = await Self.simulator([Self.job(.v3, "a", end: 10)])
            await simulator.addWebhookDestination(Self.signed(port))
            await simulator.advance(by: .seconds(10))
            let dispatcher = Self.dispatcher(simulator)
            let spent = try #require(await dispatcher.deliverDue().first)
            #expect(spent.attempts == 4)
            #expect(spent.lastStatus == 502)
            #expect(!spent.delivered)
            await simulator.add(Self.job(.v3, "b", end: 0))
            let refused = try #require(await dispatcher.deliverDue().first)
            #expect(refused.attempts == 1)
            #expect(refused.lastStatus == 401)
            #expect(await stub.received.count == 5)
            #expect(await simulator.counts.webhooksFailed == 2)
        }
    }

    @Test("a destination that refuses connections is tried again, and recorded without a status")
    func connectionRefused() async throws {
        // A port that was just free: nothing listens on it once the stub has stopped.
        let port = try await WebhookReceiverStub.withRunning { _, port in port }
        let simulator = await Self.simulator([Self.job(.v3, "v", end: 0)])
        await simulator.addWebhookDestination(Self.signed(port))
        // AsyncHTTPClient tries to connect until the request's deadline: a short one keeps the test short.
        let dispatcher = Self.dispatcher(
            simulator, retryDelays: [.milliseconds(5)], deliveryTimeout: .milliseconds(100))
        let record = try #require(await dispatcher.deliverDue().first)
        #expect(record.attempts == 2)
        #expect(record.lastStatus == nil)
        #expect(record.lastError != nil)
        #expect(!record.delivered)
    }

    @Test("a destination without a secret gets unsigned deliveries; each destination gets its own")
    func unsignedDestination() async throws {
        try await WebhookReceiverStub.withRunning(secret: Self.secret) { stub, port in
            let simulator = await Self.simulator([Self.job(.translate, "t", end: 5)])
            await simulator.addWebhookDestination(WebhookDestination(url: "http://127.0.0.1:\(port)/plain"))
            await simulator.addWebhookDestination(Self.signed(port))
            await simulator.addWebhookDestination(
                WebhookDestination(
                    url: "http://127.0.0.1:\(port)/plain", eventTypes: ["avatar_video.success", "avatar_video.fail"]))
            await simulator.advance(by: .seconds(5))
            let records = await Self.dispatcher(simulator).deliverDue()
            #expect(records.count == 2, "the third destination does not take translation events")
            #expect(records.allSatisfy { $0.delivered })
            let received = await stub.received
            let plain = try #require(received.first { $0.path == "/plain" })
            #expect(plain.header("Heygen-Signature") == nil)
            #expect(plain.header("Heygen-Timestamp") == "1900000123")
            #expect(plain.eventID == (await simulator.webhookEvents.first?.id))
            let signed = try #require(received.first { $0.path == "/signed" })
            #expect(signed.body == plain.body)
            #expect(signed.header("Heygen-Signature") == WebhookSignature.sign(signed.body, secret: Self.secret))
        }
    }

    @Test("no destination: events are made and listed, nothing is sent")
    func noDestination() async throws {
        let simulator = await Self.simulator([Self.job(.v3, "v", end: 0)])
        #expect(await Self.dispatcher(simulator).deliverDue().isEmpty)
        #expect(await simulator.webhookEvents.count == 1)
        #expect(await simulator.counts.webhookDeliveries == 0)
    }
}
