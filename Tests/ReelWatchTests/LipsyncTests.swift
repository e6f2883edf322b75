import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen's lipsyncs (`heygen-lipsync:`): answers shaped like `GET /v3/lipsyncs/{id}`'s schema, then over HTTP
/// against the simulator (status, bulk status, list).
@Suite("Lipsyncs")
struct LipsyncTests {
    static let adapter = HeyGenLipsyncProvider()
    static let ref = JobRef(api: .lipsync, id: "ls_1")

    /// The adapter's snapshot of `json`, the answer about ``ref``.
    static func snapshot(_ json: String) throws -> JobSnapshot {
        try adapter.snapshot(from: JSONValue.parse(Array(json.utf8)), ref: ref, httpStatus: 200)
    }

    /// A client whose HeyGen answers are `answers`, in order.
    static func scripted(_ answers: [ScriptedTransport.Answer]) -> (StatusClient, ScriptedTransport) {
        let transport = ScriptedTransport(answers)
        let client = StatusClient(
            configuration: Configuration(
                heygenBaseURL: BaseURL("http://heygen.test")!, heraBaseURL: BaseURL("http://hera.test")!,
                heygenAPIKey: APIKey("k")),
            transport: transport,
            retryPolicy: RetryPolicy(maxRetries: 0),
            clock: ManualClock(),
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        return (client, transport)
    }

    @Test(
        "every documented state maps; the provider's word is kept",
        arguments: [
            ("pending", JobState.queued), ("running", .processing), ("completed", .succeeded), ("failed", .failed),
        ])
    func states(word: String, state: JobState) throws {
        let snapshot = try Self.snapshot(#"{"data": {"id": "ls_1", "status": "\#(word)"}}"#)
        #expect(snapshot.state == state)
        #expect(snapshot.providerStatus?.rawValue == word)
        #expect(snapshot.ref == Self.ref)
    }

    @Test("completed: the video and its SRT captions, title, duration, dates and callback ID; extra fields ignored")
    func completed() throws {
        let snapshot = try Self.snapshot(
            #"""
            {"data": {"id": "ls_1", "status": "completed", "title": "Launch (Spanish dub)",
              "video_url": "https://files.heygen.ai/lipsync/ls_1/out.mp4?Expires=1800000000&Signature=x&Key-Pair-Id=K",
              "caption_url": "https://files.heygen.ai/lipsync/ls_1/captions?Expires=1800000000&Signature=y&Key-Pair-Id=K",
              "failure_message": null, "duration": 61.5, "created_at": 1799990000, "callback_id": "crm-9",
              "mode": "precision", "new_field": {"nested": [1, 2]}},
             "request_id": "r-1"}
            """#)
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.assets.map(\.kind) == [.video, .captions])
        // The caption link's path has no extension: the schema says SRT.
        #expect(snapshot.assets.map(\.format) == ["mp4", "srt"])
        #expect(snapshot.assets.allSatisfy { $0.expiresAt == Date(timeIntervalSince1970: 1_800_000_000) })
        #expect(snapshot.title == "Launch (Spanish dub)")
        #expect(snapshot.durationSeconds == 61.5)
        #expect(snapshot.createdAt == Date(timeIntervalSince1970: 1_799_990_000))
        #expect(snapshot.callbackID == "crm-9")
        #expect(snapshot.failure == nil)
    }

    @Test("failed: failure_message is the reason; links absent")
    func failed() throws {
        let snapshot = try Self.snapshot(
            #"{"data": {"id": "ls_1", "status": "failed", "failure_message": "No face was found", "video_url": null}}"#)
        #expect(snapshot.state == .failed)
        #expect(snapshot.failure?.message == "No face was found")
        #expect(snapshot.assets.isEmpty)
    }

    @Test("optional fields missing or null: no assets, no title, duration or dates; a failure without a message")
    func missingAndNull() throws {
        let missing = try Self.snapshot(#"{"data": {"id": "ls_1", "status": "running"}}"#)
        let nulls = try Self.snapshot(
            #"""
            {"data": {"id": "ls_1", "status": "running", "video_url": null, "caption_url": null,
              "failure_message": null, "duration": null, "created_at": null, "title": null, "callback_id": null}}
            """#)
        for snapshot in [missing, nulls] {
            #expect(snapshot.state == .processing)
            #expect(snapshot.assets.isEmpty)
            #expect(snapshot.title == nil)
            #expect(snapshot.durationSeconds == nil)
            #expect(snapshot.createdAt == nil)
            #expect(snapshot.callbackID == nil)
        }
        let failed = try Self.snapshot(#"{"data": {"id": "ls_1", "status": "failed", "failure_message": null}}"#)
        #expect(failed.state == .failed)
        #expect(failed.failure == nil)
    }

    @Test("an unknown status is unknown (not over, not a failure), its word kept verbatim")
    func unknownStatus() throws {
        let snapshot = try Self.snapshot(#"{"data": {"id": "ls_1", "status": "Lip_Syncing"}}"#)
        #expect(snapshot.state == .unknown)
        #expect(snapshot.providerStatus?.rawValue == "Lip_Syncing")
        #expect(!snapshot.state.isTerminal)
    }

    @Test("hostile numbers never trap; an answer about another job, without a status or without data is an error")
    func hostile() throws {
        let huge = try Self.snapshot(
            #"""
            {"data": {"id": "ls_1", "status": "completed", "duration": 1e308, "created_at": -1e300,
              "video_url": ["not", "a", "link"], "caption_url": {"url": "x"}}}
            """#)
        #expect(huge.state == .succeeded)
        #expect(huge.durationSeconds == nil)
        #expect(huge.createdAt == nil)
        #expect(huge.assets.isEmpty)
        for body in [
            #"{"data": {"id": "someone-else", "status": "completed"}}"#, #"{"data": {"id": "ls_1"}}"#,
            #"{"data": null}"#, "[]",
        ] {
            let error = try #require(throws: ReelWatchError.self) { try Self.snapshot(body) }
            #expect(error.code == .invalidResponse, "\(body)")
        }
    }

    @Test("404, with HeyGen's error object or a bare page, is not found; the route asked is /v3/lipsyncs/{id}")
    func notFound() async throws {
        let (client, transport) = Self.scripted([
            .json(#"{"error": {"code": "not_found", "message": "Lipsync not found"}}"#, status: 404),
            .json("Not Found", status: 404),
        ])
        for _ in 0..<2 {
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .lipsync, id: "a b/c"))
            }
            #expect(error.code == .jobNotFound)
        }
        #expect(transport.requests.map { $0.path ?? "" } == Array(repeating: "/v3/lipsyncs/a%20b%2Fc", count: 2))
    }

    @Test("bulk: lipsync_ids in the request; entries named by video_id, lipsync_id or id; not_found; a failure")
    func bulkShape() async throws {
        let page =
            #"{"data":[{"video_id":"a","status":"pending"},{"lipsync_id":"b","status":"failed","#
            + #""error":{"code":"x","message":"no face"}},{"id":"c","status":"not_found"},"#
            + #"{"status":"running"}],"has_more":false,"next_token":null}"#
        let (client, transport) = Self.scripted([.json(page)])
        let statuses = try await client.bulkStatuses(of: ["a", "b", "c"].map { JobRef(api: .lipsync, id: $0) })
        #expect(statuses[JobRef(api: .lipsync, id: "a")]?.state == .queued)
        #expect(statuses[JobRef(api: .lipsync, id: "b")]?.failure?.message == "no face")
        #expect(statuses[JobRef(api: .lipsync, id: "c")]?.isNotFound == true)
        #expect(statuses.count == 3)
        #expect(transport.requests.map { $0.path ?? "" } == ["/v3/lipsyncs/statuses?lipsync_ids=a,b,c"])
    }

    @Test("list: /v3/lipsyncs?limit=&token= without folders; entries without an ID or status are skipped")
    func listShape() async throws {
        let first =
            #"{"data":[{"id":"l1","status":"running","created_at":1799990000,"title":"Dub"},"#
            + #"{"status":"pending"},{"id":"l2"}],"has_more":true,"next_token":"n 2"}"#
        let second = #"{"data":[{"id":"l3","status":"completed","created_at":null}],"has_more":false}"#
        let (client, transport) = Self.scripted([.json(first), .json(second)])
        let page = try await client.renderListPage(of: .lipsync, limit: 50, folderID: "ignored")
        #expect(page.renders.map(\.ref) == [JobRef(api: .lipsync, id: "l1")])
        #expect(page.renders.first?.state == .processing)
        #expect(page.renders.first?.title == "Dub")
        #expect(page.skipped == 2)
        #expect(page.nextToken == "n 2")
        let last = try await client.renderListPage(of: .lipsync, token: page.nextToken)
        #expect(last.renders.map(\.ref.id) == ["l3"])
        #expect(last.nextToken == nil)
        #expect(
            transport.requests.map { $0.path ?? "" } == [
                "/v3/lipsyncs?limit=50", "/v3/lipsyncs?limit=100&token=n%202",
            ])
    }

    @Test("the kinds of list are the adapters' words; lipsyncs is one, read in any case")
    func listKinds() {
        let kinds = ProviderAPI.listKinds
        #expect(Set(["videos", "translations", "lipsyncs"]).isSubset(of: kinds))
        #expect(Set(kinds).count == kinds.count, "each list's word is its own")
        for kind in kinds { #expect(ProviderAPI(listKind: kind)?.listAdapter?.listKind == kind) }
        #expect(ProviderAPI(listKind: " LipSyncs ") == .lipsync)
        #expect(ProviderAPI(listKind: "videos") == .v3)
        #expect(ProviderAPI(listKind: "lipsync") == nil)
    }

    // MARK: Over HTTP against the simulator

    static func job(
        _ id: String, outcome: SimulatedJob.Outcome = .success, render: Duration = .seconds(600)
    )
        -> SimulatedJob
    {
        SimulatedJob(
            ref: JobRef(api: .lipsync, id: id), title: "Launch (Spanish dub)", queueTime: .seconds(60),
            renderTime: render, outcome: outcome, captions: true, callbackID: "crm-9")
    }

    @Test("the simulator's words in order as time passes; done, the video and SRT captions from /v3/lipsyncs/{id}")
    func overHTTP() async throws {
        try await SimulatorHarness.run([Self.job("ls-1")]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let ref = JobRef(api: .lipsync, id: "ls-1")
            var seen: [String] = []
            var last: JobSnapshot?
            for step in [0, 40, 60, 600] {
                await simulator.advance(by: .seconds(step))
                let snapshot = try await client.snapshot(of: ref)
                seen.append("\(snapshot.state.rawValue)/\(snapshot.providerStatus?.rawValue ?? "-")")
                last = snapshot
            }
            #expect(seen == ["queued/pending", "queued/pending", "processing/running", "succeeded/completed"])
            let done = try #require(last)
            #expect(done.assets.map(\.kind) == [.video, .captions])
            #expect(done.assets.map(\.format) == ["mp4", "srt"])
            #expect(done.title == "Launch (Spanish dub)")
            #expect(done.callbackID == "crm-9")
            #expect(done.durationSeconds == 42.5)
            #expect(await simulator.requests.allSatisfy { $0.ref == ref && $0.authorized })
        }
    }

    @Test("a failed lipsync carries the simulator's failure_message; an unknown ID is not found")
    func failedOverHTTP() async throws {
        let bad = Self.job("bad", outcome: SimulatedJob.documentedFailure(for: .lipsync), render: .zero)
        try await SimulatorHarness.run([bad]) { simulator, endpoint in
            await simulator.advance(by: .seconds(60))
            let client = SimulatorHarness.client(endpoint)
            let snapshot = try await client.snapshot(of: bad.ref)
            #expect(snapshot.state == .failed)
            #expect(snapshot.failure?.message == "No face was found in the source video")
            #expect(snapshot.assets.isEmpty)
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .lipsync, id: "ghost"))
            }
            #expect(error.code == .jobNotFound)
        }
    }

    @Test("bulk over HTTP: 250 lipsyncs and an unknown ID in ⌈251/100⌉ = 3 requests to /v3/lipsyncs/statuses")
    func bulkOverHTTP() async throws {
        let jobs =
            (0..<248).map { Self.job("l\($0)") } + [
                Self.job("done", render: .zero),
                Self.job("bad", outcome: SimulatedJob.documentedFailure(for: .lipsync), render: .zero),
            ]
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            await simulator.advance(by: .seconds(61))
            let refs = jobs.map(\.ref) + [JobRef(api: .lipsync, id: "ghost")]
            let statuses = try await SimulatorHarness.client(endpoint).bulkStatuses(of: refs)
            #expect(await simulator.bulkRequestCount == 3)
            #expect(await simulator.requests.compactMap(\.path) == Array(repeating: "/v3/lipsyncs/statuses", count: 3))
            #expect(statuses.count == 251)
            #expect(statuses[JobRef(api: .lipsync, id: "l247")]?.state == .processing)
            #expect(statuses[JobRef(api: .lipsync, id: "l0")]?.providerStatus.rawValue == "running")
            #expect(statuses[JobRef(api: .lipsync, id: "done")]?.state == .succeeded)
            #expect(statuses[JobRef(api: .lipsync, id: "bad")]?.state == .failed)
            #expect(
                statuses[JobRef(api: .lipsync, id: "bad")]?.failure?.message == "No face was found in the source video")
            #expect(statuses[JobRef(api: .lipsync, id: "ghost")]?.isNotFound == true)
        }
    }
}
