import Foundation
import HTTPTypes
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// HeyGen's batches (`heygen-batch:`, `heygen-lipsync-batch:`, `heygen-translate-batch:`): answers shaped like
/// `GET /v3/{videos,lipsyncs,video-translations}/batches/{batch_id}`'s schema, paging, then over HTTP against the
/// simulator.
@Suite("Batches")
struct BatchProviderTests {
    static let adapter = HeyGenBatchProvider()
    static let ref = JobRef(api: .batch, id: "b1")

    /// The adapter's snapshot of `json`, one page about ``ref``.
    static func snapshot(_ json: String, adapter: any Provider = adapter, ref: JobRef = ref) throws -> JobSnapshot {
        try adapter.snapshot(from: JSONValue.parse(Array(json.utf8)), ref: ref, httpStatus: 200)
    }

    /// A batch answer: `status`, `items` (JSON objects), and the rest of `data`.
    static func body(_ status: String, items: [String], extra: String = "") -> String {
        #"{"data": {"batch_id": "b1", "status": "\#(status)", "items": [\#(items.joined(separator: ","))]\#(extra)}}"#
    }

    static func item(_ index: Int, _ status: String, _ id: String?, error: String = "null") -> String {
        let video = id.map { "\"\($0)\"" } ?? "null"
        return #"{"item_index": \#(index), "status": "\#(status)", "video_id": \#(video), "error": \#(error)}"#
    }

    @Test(
        "the three batch refs, their routes and the APIs of their members",
        arguments: [
            ("heygen-batch:b 1", ProviderAPI.batch, "/v3/videos/batches/b%201?limit=100", ProviderAPI.v3),
            ("heygen-lipsync-batch:b 1", .lipsyncBatch, "/v3/lipsyncs/batches/b%201?limit=100", .lipsync),
            (
                "heygen-translate-batch:b 1", .translateBatch, "/v3/video-translations/batches/b%201?limit=100",
                .translate
            ),
        ])
    func refsAndRoutes(text: String, api: ProviderAPI, path: String, member: ProviderAPI) throws {
        let ref = try JobRef(parsing: text.replacingOccurrences(of: " ", with: "_"))
        #expect(ref.api == api)
        let lister = try #require(api.memberAdapter)
        #expect(lister.memberAPI == member)
        let request = lister.statusRequest(id: "b 1", baseURL: BaseURL("http://heygen.test")!)
        #expect(request.path == path)
        #expect(api.bulkAdapter == nil)
        let snapshot = try Self.snapshot(
            Self.body("completed", items: [Self.item(0, "completed", "m1")], extra: #", "total_items": 1"#),
            adapter: lister, ref: JobRef(api: api, id: "b1"))
        #expect(snapshot.members == [JobRef(api: member, id: "m1")])
    }

    @Test("every item state; the batch is processing until it says it is over and every item it counts is")
    func states() throws {
        let running = try Self.snapshot(
            Self.body(
                "processing",
                items: [
                    Self.item(0, "queued", nil), Self.item(1, "queued", "v1"), Self.item(2, "processing", "v2"),
                    Self.item(3, "completed", "v3"),
                ], extra: #", "total_items": 4, "counts_by_status": {"queued": 2, "processing": 1, "completed": 1}"#))
        #expect(running.state == .processing)
        #expect(running.providerStatus?.rawValue == "processing")
        #expect(running.members == ["v1", "v2", "v3"].map { JobRef(api: .v3, id: $0) })
        #expect(running.progress == 25)
        #expect(running.failure == nil)

        // It says completed, but one item it counts was not on the page read: not over yet.
        let short = try Self.snapshot(
            Self.body("completed", items: [Self.item(0, "completed", "v1")], extra: #", "total_items": 2"#))
        #expect(short.state == .processing)

        let done = try Self.snapshot(
            Self.body(
                "completed", items: [Self.item(1, "completed", "v2"), Self.item(0, "completed", "v1")],
                extra: #", "total_items": 2, "title": "Spring launch", "created_at": 1799990000"#))
        #expect(done.state == .succeeded)
        #expect(done.members.map(\.id) == ["v2", "v1"])
        #expect(done.title == "Spring launch")
        #expect(done.createdAt == Date(timeIntervalSince1970: 1_799_990_000))
        #expect(done.progress == nil)
    }

    @Test("failed: the items that never became jobs fail with the batch's item error, a failed member is named")
    func failed() throws {
        let snapshot = try Self.snapshot(
            Self.body(
                "failed",
                items: [
                    Self.item(0, "completed", "v0"),
                    Self.item(1, "failed", nil, error: #"{"code": "invalid_avatar", "message": "Avatar not found"}"#),
                    Self.item(2, "failed", "v2", error: #""Script too long""#),
                ], extra: #", "total_items": 3"#))
        #expect(snapshot.state == .failed)
        #expect(snapshot.members.map(\.id) == ["v0", "v2"])
        let message = try #require(snapshot.failure?.message)
        #expect(message.hasPrefix("2 of 3 items failed: item 1 (no job): "), "\(message)")
        #expect(message.contains("Avatar not found"), "\(message)")
        #expect(message.contains("item 2 (heygen:v2): Script too long"), "\(message)")
        #expect(snapshot.failureReason?.isEmpty == false)

        // Said failed with every item completed: still a failure, in the batch's word.
        let odd = try Self.snapshot(Self.body("failed", items: [Self.item(0, "completed", "v0")]))
        #expect(odd.state == .failed)
        #expect(odd.failure?.message == "the batch says failed")
    }

    @Test("optional fields missing or null: no members, no title, date or progress")
    func missingAndNull() throws {
        let missing = try Self.snapshot(#"{"data": {"batch_id": "b1", "status": "processing"}}"#)
        let nulls = try Self.snapshot(
            #"""
            {"data": {"batch_id": "b1", "status": "processing", "items": null, "total_items": null,
              "counts_by_status": null, "title": null, "created_at": null, "has_more": null, "next_token": null}}
            """#)
        for snapshot in [missing, nulls] {
            #expect(snapshot.state == .processing)
            #expect(snapshot.members.isEmpty)
            #expect(snapshot.title == nil)
            #expect(snapshot.createdAt == nil)
            #expect(snapshot.progress == nil)
            #expect(snapshot.assets.isEmpty)
        }
        // Unknown extra fields, at the top, in data and in items, change nothing.
        let extra = try Self.snapshot(
            #"""
            {"request_id": "r", "data": {"batch_id": "b1", "status": "processing", "new": {"x": [1]},
              "items": [{"item_index": 0, "status": "queued", "video_id": "v0", "priority": "high", "x": null}]}}
            """#)
        #expect(extra.members.map(\.id) == ["v0"])
        #expect(extra.state == .processing)
    }

    @Test("an unknown batch status is unknown, kept verbatim; an unknown item status keeps a finished batch open")
    func unknownStatus() throws {
        let snapshot = try Self.snapshot(Self.body("Paused_By_Admin", items: [Self.item(0, "queued", "v0")]))
        #expect(snapshot.state == .unknown)
        #expect(snapshot.providerStatus?.rawValue == "Paused_By_Admin")
        let item = try Self.snapshot(Self.body("completed", items: [Self.item(0, "Rendering_Again", "v0")]))
        #expect(item.state == .processing)
    }

    @Test("hostile item IDs and numbers: no job from an empty, path-step, control or overlong ID; never a trap")
    func hostileItems() throws {
        let long = String(repeating: "x", count: JobRef.maximumIDLength + 1)
        let snapshot = try Self.snapshot(
            #"""
            {"data": {"batch_id": "b1", "status": "completed", "total_items": 1e308, "items": [
              {"item_index": 0, "status": "completed", "video_id": ""},
              {"item_index": 1, "status": "completed", "video_id": "  "},
              {"item_index": 2, "status": "completed", "video_id": ".."},
              {"item_index": 3, "status": "completed", "video_id": "a\nb"},
              {"item_index": 4, "status": "completed", "video_id": "\#(long)"},
              {"item_index": 5, "status": "completed", "video_id": {"id": "x"}},
              {"item_index": 6, "status": "completed", "video_id": 123456},
              {"item_index": 7, "status": "completed", "video_id": "../../etc/passwd"},
              {"item_index": 8, "status": "completed", "video_id": "123456"},
              {"item_index": 8, "status": "completed", "video_id": "dup-index"},
              {"item_index": -1e300, "status": "completed", "video_id": "v\u001b[31m"},
              {"status": null, "video_id": "no-status"},
              "not an object"
            ]}}
            """#)
        // 1e308 items is no count: the items read are what there is.
        #expect(snapshot.members.map(\.id) == ["123456", "../../etc/passwd"])
        #expect(snapshot.state == .failed)
        let message = try #require(snapshot.failure?.message)
        #expect(message.hasPrefix("7 of 10 items failed: item 0 (no job)"), "\(message)")
        #expect(!message.contains("\u{1B}"))

        let other = try #require(throws: ReelWatchError.self) {
            try Self.snapshot(#"{"data": {"batch_id": "someone-else", "status": "completed"}}"#)
        }
        #expect(other.code == .invalidResponse)
        for body in [#"{"data": {"batch_id": "b1"}}"#, #"{"data": null}"#, "[]"] {
            let error = try #require(throws: ReelWatchError.self) { try Self.snapshot(body) }
            #expect(error.code == .invalidResponse, "\(body)")
        }
    }

    /// A client whose HeyGen answers are `answers`, in order.
    static func scripted(_ answers: [ScriptedTransport.Answer]) -> (StatusClient, ScriptedTransport) {
        LipsyncTests.scripted(answers)
    }

    @Test("paging: every page is read in one poll, the token passed on; the items of all pages make the batch")
    func paging() async throws {
        let first = Self.body(
            "completed", items: [Self.item(0, "completed", "v0")],
            extra: #", "total_items": 2, "has_more": true, "next_token": "t 2""#)
        let second = Self.body(
            "completed", items: [Self.item(1, "completed", "v1")], extra: #", "total_items": 2, "has_more": false"#)
        let (client, transport) = Self.scripted([.json(first), .json(second)])
        let snapshot = try await client.snapshot(of: Self.ref)
        #expect(snapshot.state == .succeeded)
        #expect(snapshot.members.map(\.id) == ["v0", "v1"])
        #expect(
            transport.requests.map { $0.path ?? "" } == [
                "/v3/videos/batches/b1?limit=100", "/v3/videos/batches/b1?limit=100&token=t%202",
            ])
    }

    @Test("paging is bounded: a repeated token stops it, so does the page limit; a batch read short is not over")
    func pagingBounded() async throws {
        let looping = Self.body(
            "completed", items: [Self.item(0, "completed", "v0")],
            extra: #", "total_items": 5, "has_more": true, "next_token": "same""#)
        let (client, transport) = Self.scripted(Array(repeating: .json(looping), count: 5))
        let snapshot = try await client.snapshot(of: Self.ref)
        #expect(transport.requests.count == 2)
        #expect(snapshot.state == .processing)
        #expect(snapshot.members.map(\.id) == ["v0"])

        let pages = HeyGenBatchProvider().maximumMemberPages
        let endless = (0..<(pages + 5)).map { page in
            ScriptedTransport.Answer.json(
                Self.body(
                    "processing", items: [Self.item(page, "queued", "v\(page)")],
                    extra: #", "has_more": true, "next_token": "t\#(page)""#))
        }
        let (other, otherTransport) = Self.scripted(endless)
        let read = try await other.snapshot(of: Self.ref)
        #expect(otherTransport.requests.count == pages)
        #expect(read.members.count == pages)
    }

    @Test("404 is not found; an error on a later page fails the poll")
    func notFound() async throws {
        let (client, _) = Self.scripted([
            .json(#"{"error": {"code": "not_found", "message": "Batch not found"}}"#, status: 404)
        ])
        let error = try await #require(throws: ReelWatchError.self) { try await client.snapshot(of: Self.ref) }
        #expect(error.code == .jobNotFound)

        let first = Self.body(
            "processing", items: [Self.item(0, "queued", "v0")], extra: #", "has_more": true, "next_token": "t""#)
        let (paged, _) = Self.scripted([
            .json(first), .json(#"{"error": {"code": "x", "message": "bad"}}"#, status: 400),
        ])
        await #expect(throws: ReelWatchError.self) { try await paged.snapshot(of: Self.ref) }
    }

    // MARK: Over HTTP against the simulator

    /// A batch of `count` v3 videos, each rendering `render` after `queue`.
    static func batch(
        _ id: String, count: Int, api: ProviderAPI = .batch, member: ProviderAPI = .v3,
        queue: Duration = .zero, render: Duration = .seconds(600)
    ) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: api, id: id), title: "Batch \(id)",
            members: (0..<count).map {
                SimulatedJob(
                    ref: JobRef(api: member, id: "\(id)-m\($0)"), queueTime: queue, renderTime: render,
                    videoSize: 20_000)
            })
    }

    @Test("a batch of 250 over HTTP: its 3 pages of 100 read in one poll; members follow the simulator's clock")
    func overHTTP() async throws {
        let batch = Self.batch("big", count: 250)
        try await SimulatorHarness.run([batch]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            let running = try await client.snapshot(of: batch.ref)
            #expect(running.state == .processing)
            #expect(running.members.count == 250)
            #expect(running.members.first == JobRef(api: .v3, id: "big-m0"))
            #expect(running.members.last == JobRef(api: .v3, id: "big-m249"))
            #expect(running.title == "Batch big")
            #expect(await simulator.statusRequestCount(for: batch.ref) == 3)
            // The members exist in the simulator as jobs of their own.
            #expect(await simulator.state(of: JobRef(api: .v3, id: "big-m7")) == .processing)

            await simulator.advance(by: .seconds(601))
            let done = try await client.snapshot(of: batch.ref)
            #expect(done.state == .succeeded)
            #expect(done.providerStatus?.rawValue == "completed")
            #expect(await simulator.statusRequestCount(for: batch.ref) == 6)

            let ghost = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .batch, id: "ghost"))
            }
            #expect(ghost.code == .jobNotFound)
        }
    }

    @Test(
        "lipsync and translation batches over HTTP: their routes, their members' APIs",
        arguments: [(ProviderAPI.lipsyncBatch, ProviderAPI.lipsync), (.translateBatch, .translate)])
    func otherBatches(api: ProviderAPI, member: ProviderAPI) async throws {
        let batch = Self.batch("b", count: 3, api: api, member: member, render: .zero)
        try await SimulatorHarness.run([batch]) { _, endpoint in
            let snapshot = try await SimulatorHarness.client(endpoint).snapshot(of: batch.ref)
            #expect(snapshot.state == .succeeded)
            #expect(snapshot.members == (0..<3).map { JobRef(api: member, id: "b-m\($0)") })
        }
    }

    @Test("a batch's members' statuses in the batch form: statuses?batch_ids=, paged, a repeated token stops it")
    func batchForm() async throws {
        let page = #"{"data": [{"video_id": "v0", "status": "processing", "batch_id": "b1", "item_index": 0}], "#
        let (client, transport) = Self.scripted([
            .json(page + #""has_more": true, "next_token": "n 1"}"#),
            .json(page + #""has_more": true, "next_token": "n 1"}"#),
            .json(page + #""has_more": true, "next_token": "n 1"}"#),
        ])
        let statuses = try #require(try await client.bulkStatuses(inBatch: "b1", of: .v3))
        #expect(statuses[JobRef(api: .v3, id: "v0")]?.state == .processing)
        #expect(
            transport.requests.map { $0.path ?? "" } == [
                "/v3/videos/statuses?batch_ids=b1", "/v3/videos/statuses?batch_ids=b1&next_token=n%201",
            ])
        // Lipsyncs and translations have the form; Hera has no bulk status at all.
        for api in [ProviderAPI.lipsync, .translate] {
            #expect(
                api.bulkAdapter?.batchStatusRequest(batchIDs: ["b"], token: nil, baseURL: BaseURL("http://h")!) != nil)
        }
        #expect(try await client.bulkStatuses(inBatch: "b1", of: .hera) == nil)
    }

    @Test("over HTTP: the simulator's batch form lists a 250-member batch's members in 3 pages of 100")
    func batchFormOverHTTP() async throws {
        let batch = Self.batch("big", count: 250)
        try await SimulatorHarness.run([batch]) { simulator, endpoint in
            let statuses = try #require(
                try await SimulatorHarness.client(endpoint).bulkStatuses(inBatch: "big", of: .v3))
            #expect(statuses.count == 250)
            #expect(statuses.values.allSatisfy { $0.state == .processing })
            #expect(await simulator.batchStatusRequestCount == 3)
        }
    }
}
