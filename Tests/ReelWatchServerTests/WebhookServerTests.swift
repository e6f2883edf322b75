import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import ReelWatch
import ReelWatchDaemon
import ReelWatchServer
import ReelWatchSimulator
import ReelWatchStore
import ReelWatchTestSupport
import ReelWatchTesting
import ReelWatchWebhooks
import ServiceLifecycle
import Testing

/// `serve`'s webhook routes over real loopback HTTP, with a real SQLite store, the engine on a manual clock and
/// the simulator as HeyGen.
@Suite("WebhookServer")
struct WebhookServerTests {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)
    static let secret = "whsec_test_secret"

    /// What a test works with.
    struct Harness: Sendable {
        let port: Int
        let store: SQLiteJobStore
        let clock: ManualClock
        let simulator: Simulator
        let client: StatusClient
        let news: WakeSignal
        let downloads: String
        let receiver: WebhookReceiver

        var now: Date { Self.date(clock) }

        static func date(_ clock: ManualClock) -> Date {
            WebhookServerTests.epoch.addingTimeInterval(clock.now.offset.secondsValue)
        }

        /// Posts `body` as HeyGen would: signed with `secret`, stamped `timestamp` (default: now).
        func post(
            _ body: [UInt8], eventID: String? = "evt-1", secret: String? = WebhookServerTests.secret,
            timestamp: Date? = nil, path: String = WebhookServer.webhookPath
        ) async throws -> (status: Int, text: String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let secret {
                request.headers.add(name: "Heygen-Signature", value: WebhookSignature.sign(body, secret: secret))
            }
            let stamp = Int((timestamp ?? now).timeIntervalSince1970)
            request.headers.add(name: "Heygen-Timestamp", value: String(stamp))
            if let eventID { request.headers.add(name: "Heygen-Event-Id", value: eventID) }
            request.body = .bytes(body)
            return try await Self.send(request)
        }

        /// Sends `method` to `path` without a body.
        func call(_ method: HTTPMethod, _ path: String) async throws -> (status: Int, text: String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            return try await Self.send(request)
        }

        static func send(_ request: HTTPClientRequest) async throws -> (status: Int, text: String) {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        }

        /// The webhook events the store holds, as (ID, type, ref).
        func events() throws -> [[String?]] {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: store.path, configuration: configuration)
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT event_id, event_type, ref FROM webhook_event ORDER BY event_id")
                    .map { [$0["event_id"], $0["event_type"], $0["ref"]] }
            }
        }

        /// The engine over the store, downloading, on the manual clock; cancel the task to stop it.
        func engine(
            push: PushCoverage? = nil, bulk: Bool = false, selection: AssetSelection = .defaults
        ) -> Task<TrackerRunSummary, any Error> {
            var options = TrackerOptions(
                watch: WatchOptions(timeout: .seconds(7200), minDelay: .seconds(60), maxDelay: .seconds(300)),
                useBulkStatus: bulk)
            options.selection = selection
            options.idleInterval = .seconds(24 * 3600)
            let tracker = Tracker(
                store: store, client: client,
                downloader: Downloader(statusClient: client, transport: AsyncHTTPClientTransport()),
                options: options, news: news, push: push)
            return Task { try await tracker.run(.daemon) }
        }

        /// Waits (looking every 10 ms, up to ten seconds: a tighter loop of store reads starves the engine) until `condition` holds for `ref`'s job.
        func waitFor(_ ref: JobRef, _ condition: @Sendable (TrackedJob?) -> Bool) async throws {
            for _ in 0..<1000 where !condition(try await store.job(ref)) {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Runs `body` with a simulator holding `jobs`, a store, and the webhook routes served on an ephemeral port.
    static func withServer<Result: Sendable>(
        _ jobs: [SimulatedJob] = [],
        trackUntracked: Bool = false,
        _ body: @Sendable (Harness) async throws -> Result
    ) async throws -> Result {
        let clock = ManualClock()
        let simulator = Simulator(timeScale: 0, epoch: epoch)
        await simulator.add(jobs)
        // The simulator's own deliveries are stamped with the receiver's clock, as real ones carry the real date.
        let server = SimulatorServer(
            simulator: simulator, webhookInterval: .milliseconds(10), wallClock: { Harness.date(clock) },
            logger: SimulatorHarness.quiet)
        return try await server.withRunning { endpoint in
            let client = StatusClient(
                configuration: endpoint.configuration(apiKey: simulator.apiKey),
                retryPolicy: RetryPolicy(maxRetries: 0),
                clock: clock,
                random: { 0.5 },
                wallClock: { Harness.date(clock) },
                logger: SimulatorHarness.quiet
            )
            let home = NSTemporaryDirectory() + "reelwatch-webhooks-\(UUID().uuidString)"
            let store = try SQLiteJobStore(path: home + "/reelwatch.sqlite")
            let news = WakeSignal()
            let receiver = WebhookReceiver(
                signature: try WebhookSignature(secrets: ["whsec_old", secret]), store: store, news: news,
                trackUntracked: trackUntracked, downloadDirectory: trackUntracked ? home + "/files" : nil,
                wallClock: { Harness.date(clock) }, logger: SimulatorHarness.quiet)
            return try await LoopbackServer.withRunning(
                router: WebhookServer.router(receiver: receiver), serverName: "webhooks", logger: SimulatorHarness.quiet
            ) { port in
                try await body(
                    Harness(
                        port: port, store: store, clock: clock, simulator: simulator, client: client, news: news,
                        downloads: home + "/files", receiver: receiver))
            }
        }
    }

    static func event(_ type: String, _ data: String) -> [UInt8] {
        Array(#"{"event_type":"\#(type)","event_data":\#(data)}"#.utf8)
    }

    static func success(_ id: String) -> [UInt8] {
        event("avatar_video.success", #"{"video_id":"\#(id)","url":"https://evil.example/x.mp4","callback_id":null}"#)
    }

    static func rendering(
        _ id: String, api: ProviderAPI = .v3, outcome: SimulatedJob.Outcome = .success, captions: Bool = false
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), title: "T", queueTime: .zero, renderTime: .seconds(600), outcome: outcome,
            captions: captions, videoSize: 20_000)
    }

    /// Tracks `ref` and runs the engine until its first poll is recorded (still processing); returns the engine.
    static func trackedAndPolledOnce(
        _ ref: JobRef, _ harness: Harness, selection: AssetSelection = .defaults
    ) async throws -> Task<TrackerRunSummary, any Error> {
        _ = try await harness.store.track(TrackRequest(ref: ref, downloadDirectory: harness.downloads), at: harness.now)
        let engine = harness.engine(selection: selection)
        try await harness.waitFor(ref) { $0?.state != nil }
        #expect(try await harness.store.job(ref)?.state == .processing)
        #expect(try await harness.store.job(ref)!.nextPollAt > harness.now)
        return engine
    }

    @Test("a signed success event for a tracked job: due now, polled by the engine at once, its file downloaded")
    func successEvent() async throws {
        try await Self.withServer([Self.rendering("v1")]) { harness in
            let ref = JobRef(api: .v3, id: "v1")
            let engine = try await Self.trackedAndPolledOnce(ref, harness)
            // The render ends at HeyGen; the engine's clock does not move, so only the webhook can bring news.
            await harness.simulator.advance(by: .seconds(600))
            let answer = try await harness.post(Self.success("v1"))
            #expect(answer.status == 200)
            #expect(answer.text == "made_due\n")
            try await harness.waitFor(ref) { $0?.phase == .done }
            let job = try #require(try await harness.store.job(ref))
            #expect(job.state == .succeeded)
            #expect(job.files.map(\.status) == [.done])
            let path = try #require(job.files.first?.path)
            #expect(path.hasPrefix(harness.downloads + "/"))
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 20_000)
            #expect(await harness.simulator.statusRequestCount(for: ref) == 2)
            #expect(harness.clock.now.offset == .zero)
            #expect(try harness.events() == [["evt-1", "avatar_video.success", "heygen:v1"]])
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("a per-job callback on the store's token path: unsigned, the tracked job is polled at once and saved")
    func callbackOnCapabilityPath() async throws {
        try await Self.withServer([Self.rendering("c1")], trackUntracked: true) { harness in
            let ref = JobRef(api: .v3, id: "c1")
            let engine = try await Self.trackedAndPolledOnce(ref, harness)
            await harness.simulator.advance(by: .seconds(600))
            let token = try await harness.store.callbackToken()
            #expect(token.count == CallbackToken.length)
            #expect(try await harness.store.callbackToken() == token, "made once, then the same")
            let path = "\(WebhookServer.callbackPath)/\(token)"
            // No signature at all: per-job callbacks are not signed.
            let answer = try await harness.post(Self.success("c1"), eventID: "evt-cb", secret: nil, path: path)
            #expect(answer.status == 200)
            #expect(answer.text == "made_due\n")
            try await harness.waitFor(ref) { $0?.phase == .done }
            #expect(try await harness.store.job(ref)?.files.map(\.status) == [.done])
            #expect(await harness.simulator.statusRequestCount(for: ref) == 2)
            // The same event again: recorded once.
            let again = try await harness.post(Self.success("c1"), eventID: "evt-cb", secret: nil, path: path)
            #expect(again.text == "duplicate\n")
            // Never tracks a job from an unsigned body, even with --track-webhooks.
            let untracked = try await harness.post(Self.success("zz"), eventID: "evt-zz", secret: nil, path: path)
            #expect(untracked.text == "ignored\n")
            #expect(try await harness.store.job(JobRef(api: .v3, id: "zz")) == nil)
            #expect(try await harness.call(.OPTIONS, path).status == 200)
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("a per-job callback on a wrong token: 404 before the body is read, and nothing changes")
    func callbackOnWrongToken() async throws {
        try await Self.withServer([Self.rendering("c2")]) { harness in
            let ref = JobRef(api: .v3, id: "c2")
            _ = try await harness.store.track(TrackRequest(ref: ref), at: harness.now)
            let before = try await harness.store.job(ref)
            let token = try await harness.store.callbackToken()
            let wrong = String(token.dropLast()) + (token.last == "0" ? "1" : "0")
            for path in ["\(WebhookServer.callbackPath)/\(wrong)", "\(WebhookServer.callbackPath)/short"] {
                let answer = try await harness.post(Self.success("c2"), secret: nil, path: path)
                #expect(answer.status == 404, "\(path)")
            }
            // Signed deliveries are never taken on the callback path with a wrong token either.
            #expect(
                try await harness.post(Self.success("c2"), path: "\(WebhookServer.callbackPath)/\(wrong)").status == 404
            )
            #expect(try harness.events().isEmpty)
            #expect(try await harness.store.job(ref) == before)
        }
    }

    @Test(
        "a wrong 64-hex callback token is 404 before the body is read: a 2 MiB body (not 413), a promised body never sent (at once)"
    )
    func callbackTokenBeforeBody() async throws {
        try await Self.withServer { harness in
            let token = try await harness.store.callbackToken()
            let wrong = String(token.dropLast()) + (token.last == "0" ? "1" : "0")
            let head = "POST \(WebhookServer.callbackPath)/\(wrong) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            let large = try await RawConnection(port: harness.port)
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
            try await large.sendAll(head + "Content-Length: \(body.count)\r\n\r\n")
            try await large.sendAll(body)
            let largeAnswer = await large.receiveAnswer(within: .seconds(30))
            #expect(largeAnswer.text.hasPrefix("HTTP/1.1 404"), "\(largeAnswer.text)")
            #expect(largeAnswer.text.hasSuffix("\r\n\r\nnot_found\n"))
            // 1,000 bytes promised and none sent: a 404, not a wait for the body (which would end in the idle
            // timeout closing the connection with no answer at all; the bound is long for a loaded machine).
            let promised = try await RawConnection(port: harness.port)
            try await promised.sendAll(head + "Content-Length: 1000\r\n\r\n")
            let promisedAnswer = await promised.receiveAnswer(within: .seconds(30))
            #expect(promisedAnswer.text.hasPrefix("HTTP/1.1 404"), "\(promisedAnswer.text)")
            #expect(promisedAnswer.text.hasSuffix("\r\n\r\nnot_found\n"))
            #expect(try harness.events().isEmpty)
        }
    }

    @Test("a signed fail event: the engine polls and records the failure the provider reports")
    func failEvent() async throws {
        let failure = SimulatedJob.documentedFailure(for: .v3)
        try await Self.withServer([Self.rendering("v2", outcome: failure)]) { harness in
            let ref = JobRef(api: .v3, id: "v2")
            let engine = try await Self.trackedAndPolledOnce(ref, harness)
            await harness.simulator.advance(by: .seconds(600))
            let body = Self.event("avatar_video.fail", #"{"video_id":"v2","msg":"anything","callback_id":"c"}"#)
            let answer = try await harness.post(body, eventID: "evt-fail")
            #expect(answer.status == 200)
            try await harness.waitFor(ref) { $0?.phase == .done }
            let job = try #require(try await harness.store.job(ref))
            #expect(job.state == .failed)
            #expect(job.snapshot?.failure?.message == "Script too long for selected avatar")
            #expect(await harness.simulator.statusRequestCount(for: ref) == 2)
            engine.cancel()
            _ = try await engine.value
        }
    }

    @Test("a forged signature, a missing one, or a stale or future timestamp: 401, and nothing changes")
    func refusedDeliveries() async throws {
        try await Self.withServer([Self.rendering("v3")]) { harness in
            let ref = JobRef(api: .v3, id: "v3")
            let later = harness.now.addingTimeInterval(600)
            _ = try await harness.store.track(TrackRequest(ref: ref), at: harness.now)
            try await harness.store.record([
                PollUpdate(
                    ref: ref, snapshot: JobSnapshot(ref: ref, state: .processing), nextPollAt: later, at: harness.now)
            ])
            let before = try await harness.store.job(ref)
            let body = Self.success("v3")
            let refusals = [
                try await harness.post(body, secret: "whsec_forged"),
                try await harness.post(body, secret: nil),
                try await harness.post(body, timestamp: harness.now.addingTimeInterval(-301)),
                try await harness.post(body, timestamp: harness.now.addingTimeInterval(301)),
            ]
            #expect(refusals.map(\.status) == [401, 401, 401, 401])
            #expect(refusals.allSatisfy { $0.text == "unauthenticated\n" })
            #expect(try harness.events().isEmpty)
            #expect(try await harness.store.job(ref) == before)
            // The old secret of a rotation is still accepted, five minutes off is still fresh.
            let rotated = try await harness.post(
                body, secret: "whsec_old", timestamp: harness.now.addingTimeInterval(-300))
            #expect(rotated.status == 200)
            #expect(try await harness.store.job(ref)?.nextPollAt == harness.now)
        }
    }

    @Test("a replayed event ID answers 200 and does nothing more")
    func replay() async throws {
        try await Self.withServer([Self.rendering("v4")]) { harness in
            let ref = JobRef(api: .v3, id: "v4")
            _ = try await harness.store.track(TrackRequest(ref: ref), at: harness.now)
            let first = harness.now
            try await harness.store.record([
                PollUpdate(
                    ref: ref, snapshot: JobSnapshot(ref: ref, state: .processing),
                    nextPollAt: first.addingTimeInterval(600), at: first)
            ])
            #expect(try await harness.post(Self.success("v4")).text == "made_due\n")
            #expect(try await harness.store.job(ref)?.nextPollAt == first)
            harness.clock.advance(by: .seconds(30))
            let again = try await harness.post(Self.success("v4"))
            #expect(again.status == 200)
            #expect(again.text == "duplicate\n")
            #expect(try await harness.store.job(ref)?.nextPollAt == first)
            #expect(try harness.events().count == 1)
        }
    }

    @Test("an unknown event type is recorded and answered 200 not_followed, nothing else; malformed JSON is 400")
    func unknownAndMalformed() async throws {
        try await Self.withServer { harness in
            let unknown = try await harness.post(
                Self.event("photo_avatar.success", #"{"photo_avatar_id":"p"}"#), eventID: "evt-photo")
            #expect(unknown.status == 200)
            #expect(unknown.text == "not_followed\n")
            #expect(try harness.events() == [["evt-photo", "photo_avatar.success", nil]])
            let malformed = try await harness.post(
                Array(#"{"event_type": "avatar_video.success""#.utf8), eventID: "evt-x")
            #expect(malformed.status == 400)
            #expect(malformed.text == "malformed\n")
            let badID = try await harness.post(Self.success("v"), eventID: "has space")
            #expect(badID.status == 400)
            #expect(try harness.events().count == 1)
            #expect(try await harness.store.jobs(in: nil).isEmpty)
        }
    }

    @Test(
        "an event for a job not tracked: recorded and ignored, or tracked with --track-webhooks",
        arguments: [false, true])
    func untracked(trackUntracked: Bool) async throws {
        try await Self.withServer(trackUntracked: trackUntracked) { harness in
            let answer = try await harness.post(
                Self.event("video_translate.success", #"{"video_translate_id":"t1","url":"u","output_language":"fr"}"#))
            #expect(answer.status == 200)
            #expect(answer.text == (trackUntracked ? "tracked\n" : "ignored\n"))
            let job = try await harness.store.job(JobRef(api: .translate, id: "t1"))
            #expect((job != nil) == trackUntracked)
            if trackUntracked {
                #expect(job?.downloadDirectory == harness.downloads)
                #expect(job?.nextPollAt == harness.now)
                #expect(job?.meta == ["source": "webhook"])
            }
            #expect(try harness.events() == [["evt-1", "video_translate.success", "heygen-translate:t1"]])
        }
    }

    @Test("a body over 1 MiB is 413 and not recorded; OPTIONS and healthz answer 200")
    func sizeOptionsAndHealth() async throws {
        try await Self.withServer { harness in
            var big = Self.event("batch.finished", #"{"pad":""}"#)
            big.insert(contentsOf: Array(repeating: UInt8(ascii: " "), count: WebhookServer.maximumBodySize), at: 1)
            let oversized = try await harness.post(big, eventID: "evt-big")
            #expect(oversized.status == 413)
            let exact = Array(repeating: UInt8(ascii: " "), count: WebhookServer.maximumBodySize - 2) + Array("{}".utf8)
            #expect(try await harness.post(exact, eventID: "evt-exact").status == 400)
            #expect(try harness.events().isEmpty)
            #expect(try await harness.call(.OPTIONS, WebhookServer.webhookPath).status == 200)
            let health = try await harness.call(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(health.text == "ok\n")
        }
    }
    @Test("graceful shutdown mid-delivery: the request in flight is answered and its event recorded, then it stops")
    func shutdownMidDelivery() async throws {
        let home = NSTemporaryDirectory() + "reelwatch-webhooks-\(UUID().uuidString)"
        let store = try SQLiteJobStore(path: home + "/reelwatch.sqlite")
        let receiver = WebhookReceiver(
            signature: try WebhookSignature(secrets: [Self.secret]), store: store, news: nil,
            wallClock: { Self.epoch }, logger: SimulatorHarness.quiet)
        let (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = WebhookServer.application(
            receiver: receiver, host: "127.0.0.1", port: 0, logger: SimulatorHarness.quiet
        ) { portsContinuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: SimulatorHarness.quiet))
        let running = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())

        // A connection made and kept alive first, for the delivery to go out on at once: under load a new
        // connection may not even be accepted before the shutdown comes.
        var warm = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
        warm.method = .GET
        #expect(try await Harness.send(warm).status == 200)
        let body = Self.event("batch.finished", #"{"pad":"\#(String(repeating: "x", count: 1000))"}"#)
        let (chunks, chunksContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(WebhookServer.webhookPath)")
        request.method = .POST
        request.headers.add(name: "Heygen-Signature", value: WebhookSignature.sign(body, secret: Self.secret))
        request.headers.add(name: "Heygen-Timestamp", value: String(Int(Self.epoch.timeIntervalSince1970)))
        request.headers.add(name: "Heygen-Event-Id", value: "evt-drain")
        request.body = .stream(chunks, length: .known(Int64(body.count)))
        let delivery = Task { try await Harness.send(request) }
        chunksContinuation.yield(ByteBuffer(bytes: body.prefix(100)))
        // The request is on its way (its head and a first part of its body) when the shutdown comes.
        try await Task.sleep(for: .milliseconds(300))
        await group.triggerGracefulShutdown()
        try await Task.sleep(for: .milliseconds(20))
        chunksContinuation.yield(ByteBuffer(bytes: body.dropFirst(100)))
        chunksContinuation.finish()
        let answer = try await delivery.value
        #expect(answer.status == 200)
        #expect(answer.text == "not_followed\n")
        try await running.value
        let event = DeliveredEvent(id: "evt-drain", type: "batch.finished", ref: nil, receivedAt: Self.epoch)
        #expect(try await store.recordDelivery(event) == false)
    }
}
