import Foundation
import HTTPTypes
import Logging
import ReelWatch
import ReelWatchServer
import ReelWatchStore
import ReelWatchTesting
import ReelWatchWebhooks
import Testing

/// Reconciliation against HeyGen's list of webhook events, answered from a script: the requests it makes, where
/// it stops, and what the receiver does with each event.
@Suite("Webhook reconciler")
struct WebhookReconcilerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func event(
        _ id: String, _ videoID: String, at date: Date, type: String = "avatar_video.success"
    )
        -> String
    {
        #"{"event_id":"\#(id)","event_type":"\#(type)","event_data":{"video_id":"\#(videoID)","url":"x"},"#
            + #""created_at":\#(Int(date.timeIntervalSince1970))}"#
    }

    static func page(_ events: [String], next: String?) -> ScriptedTransport.Answer {
        let token = next.map { #""\#($0)""# } ?? "null"
        return .json(#"{"data":[\#(events.joined(separator: ","))],"has_more":\#(next != nil),"next_token":\#(token)}"#)
    }

    static func reconciler(
        _ transport: ScriptedTransport, store: any JobStore, maximumPages: Int = 1000, log: RecordedLog? = nil
    ) throws -> WebhookReconciler {
        let logger = Logger(label: "test") { _ -> any LogHandler in log?.handler ?? SwiftLogNoOpLogHandler() }
        let client = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL("https://api.heygen.test")!, heraBaseURL: BaseURL("https://hera.test")!,
                heygenAPIKey: APIKey("k")),
            transport: transport, retryPolicy: RetryPolicy(maxRetries: 0), clock: ManualClock(), wallClock: { now },
            logger: logger)
        let receiver = WebhookReceiver(
            signature: try WebhookSignature(secrets: ["whsec_test"]), store: store, news: nil,
            wallClock: { now }, logger: logger)
        return WebhookReconciler(receiver: receiver, client: client, maximumPages: maximumPages, logger: logger)
    }

    @Test("pages back to its mark, makes missed events' jobs due, skips delivered and unusable ones")
    func catchesMissedEvents() async throws {
        let store = MemoryJobStore()
        let (missed, delivered) = (JobRef(api: .v3, id: "m1"), JobRef(api: .v3, id: "d1"))
        for ref in [missed, delivered] {
            _ = try await store.track(TrackRequest(ref: ref), at: Self.now.addingTimeInterval(-7200))
            try await store.record([
                PollUpdate(
                    ref: ref, snapshot: JobSnapshot(ref: ref, state: .processing),
                    nextPollAt: Self.now.addingTimeInterval(600), at: Self.now.addingTimeInterval(-60))
            ])
        }
        _ = try await store.recordDelivery(
            DeliveredEvent(id: "e2", type: "avatar_video.success", ref: delivered, receivedAt: Self.now))
        let transport = ScriptedTransport([
            Self.page(
                [
                    Self.event("e3", "m1", at: Self.now.addingTimeInterval(-30)),
                    Self.event("e2", "d1", at: Self.now.addingTimeInterval(-40)),
                    #"{"event_id":"bad id","event_type":"avatar_video.success","event_data":{}}"#,
                    #"{"event_id":"e9","event_type":"avatar_video.success","event_data":"not an object"}"#,
                ], next: "t2"),
            Self.page(
                [
                    Self.event("e1", "x1", at: Self.now.addingTimeInterval(-3600), type: "brand_new.event"),
                    Self.event("e0", "m1", at: Self.now.addingTimeInterval(-2 * 86400)),
                ], next: "t3"),
        ])
        let reconciler = try Self.reconciler(transport, store: store)
        let summary = try await reconciler.reconcile()
        #expect(summary.pages == 2, "stops at the first event older than its look-back, not at the last page")
        #expect(summary.seen == 3)
        #expect(summary.skipped == 2)
        #expect(summary.outcomes == [.madeDue: 1, .duplicate: 1, .notFollowed: 1])
        #expect(summary.recovered == 1)
        #expect(try await store.job(missed)?.nextPollAt == Self.now)
        #expect(try await store.job(delivered)?.nextPollAt == Self.now.addingTimeInterval(600))
        let paths = transport.requests.map { $0.path ?? "" }
        #expect(paths == ["/v3/webhooks/events?limit=100", "/v3/webhooks/events?limit=100&token=t2"])
        #expect(transport.requests.allSatisfy { $0.headerFields[HTTPField.Name("x-api-key")!] == "k" })
    }

    @Test("a later reconciliation goes back to the previous start less the overlap")
    func mark() async throws {
        let transport = ScriptedTransport([
            Self.page([Self.event("a", "v", at: Self.now)], next: nil),
            Self.page(
                [
                    Self.event("c", "v", at: Self.now.addingTimeInterval(-100)),
                    Self.event("b", "v", at: Self.now.addingTimeInterval(-7200)),
                ], next: "t2"),
        ])
        let reconciler = try Self.reconciler(transport, store: MemoryJobStore())
        #expect(try await reconciler.reconcile().outcomes == [.ignored: 1])
        let second = try await reconciler.reconcile()
        #expect(second.pages == 1, "an event older than an hour before the last start ends it")
        #expect(second.seen == 1)
        #expect(transport.requests.count == 2)
    }

    @Test("a reconciliation stopped by its page limit leaves its mark: the next one looks back as far")
    func pageLimit() async throws {
        let transport = ScriptedTransport([
            Self.page([Self.event("a", "v", at: Self.now)], next: "t2"),
            Self.page([Self.event("b", "v", at: Self.now.addingTimeInterval(-7200))], next: "t3"),
        ])
        let reconciler = try Self.reconciler(transport, store: MemoryJobStore(), maximumPages: 1)
        let first = try await reconciler.reconcile()
        #expect(first.truncated && first.pages == 1)
        let second = try await reconciler.reconcile()
        #expect(second.truncated)
        #expect(second.seen == 1, "two hours old is within the first look-back of a day")
    }

    @Test("a next_token cycle (A, B, A) stops the reading at the repeat, every round, and is said once")
    func tokenCycle() async throws {
        // Each round: the first page, A, B, then B's next token is A again. More pages are scripted than two rounds
        // read: a reconciler that followed the cycle would read them all (and then fail).
        var answers: [ScriptedTransport.Answer] = []
        for round in 0..<2 {
            answers += [
                Self.page([Self.event("r\(round)-0", "v", at: Self.now)], next: "A"),
                Self.page([Self.event("r\(round)-a", "v", at: Self.now)], next: "B"),
                Self.page([Self.event("r\(round)-b", "v", at: Self.now)], next: "A"),
            ]
        }
        for index in 0..<20 {
            answers.append(Self.page([Self.event("x\(index)", "v", at: Self.now)], next: index % 2 == 0 ? "B" : "A"))
        }
        let transport = ScriptedTransport(answers)
        let log = RecordedLog()
        let reconciler = try Self.reconciler(transport, store: MemoryJobStore(), log: log)
        for _ in 0..<2 {
            let summary = try await reconciler.reconcile()
            #expect(summary.pages == 3)
            #expect(summary.repeatedToken)
            #expect(!summary.truncated)
        }
        let tokens = transport.requests.map { $0.path ?? "" }.map {
            $0.components(separatedBy: "token=").dropFirst().first
        }
        #expect(tokens == [nil, "A", "B", nil, "A", "B"])
        let warnings = log.entries.filter { $0.level >= .warning }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.message.contains("next_token") == true)
    }

    @Test("an error answer is one clear error without the key; unusable lists are refused")
    func errors() async throws {
        let store = MemoryJobStore()
        let transport = ScriptedTransport([
            .json(#"{"error":{"code":"unauthorized","message":"bad key k"}}"#, status: 401),
            .json(#"{"items":[]}"#),
        ])
        let reconciler = try Self.reconciler(transport, store: store)
        await #expect(throws: ReelWatchError.self) { try await reconciler.reconcile() }
        do {
            _ = try await reconciler.reconcile()
            Issue.record("a body without a data list was accepted")
        } catch {
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains("not a list of webhook events"))
        }
    }
}
