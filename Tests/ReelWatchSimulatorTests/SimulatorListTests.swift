import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The simulator's account lists (`GET /v3/videos`, `GET /v3/video-translations`) over plain HTTP: paging, filters,
/// order, authentication, and the adapters reading them.
@Suite("Simulator account lists")
struct SimulatorListTests {
    /// A v3 video added `minutes` after the first, finished, in `folder`.
    static func video(_ id: String, title: String? = nil, folder: String? = nil) -> SimulatedJob {
        SimulatedJob(
            ref: JobRef(api: .v3, id: id), title: title ?? "Video \(id)", queueTime: .zero, renderTime: .zero,
            folderID: folder)
    }

    /// Adds `jobs` one simulated minute apart, the first one oldest.
    static func addApart(_ jobs: [SimulatedJob], to simulator: Simulator) async {
        for job in jobs {
            await simulator.add(job)
            await simulator.advance(by: .seconds(60))
        }
    }

    static func ids(_ body: JSONValue) -> [String] {
        (body["data"]?.arrayValue ?? []).compactMap { $0["id"]?.text }
    }

    @Test("videos page newest first: default 10, limit, token, has_more and next_token; the last page says no more")
    func paging() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await Self.addApart((1...12).map { Self.video("v\($0)") }, to: simulator)
            await simulator.add(SimulatedJob(ref: JobRef(api: .translate, id: "t1")))
            let first = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos")
            #expect(first.status == 200)
            let firstBody = try first.json
            #expect(Self.ids(firstBody) == (3...12).reversed().map { "v\($0)" })
            #expect(firstBody["has_more"] == true)
            let token = try #require(firstBody["next_token"]?.text)
            let second = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?limit=10&token=\(token)").json
            #expect(Self.ids(second) == ["v2", "v1"])
            #expect(second["has_more"] == false)
            #expect(second["next_token"] == .null)

            let small = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?limit=5").json
            #expect(Self.ids(small) == ["v12", "v11", "v10", "v9", "v8"])
            let capped = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?limit=1000").json
            #expect(Self.ids(capped).count == 12)
            #expect(await simulator.counts.listRequests == 4)

            // Each entry is the detail answer's data: the same fields, created_at in Unix seconds.
            let entry = try #require(firstBody["data"]?.arrayValue?.first)
            #expect(entry["status"] == "completed")
            #expect(entry["title"] == "Video v12")
            #expect(entry["video_url"]?.text != nil)
            let created = try #require(entry["created_at"]?.number)
            let older = try #require(firstBody["data"]?.arrayValue?[1]["created_at"]?.number)
            #expect(created - older == 60)

            let bad = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?token=nonsense")
            #expect(bad.status == 400)
        }
    }

    @Test("videos are filtered by folder_id and by title; the detail answer reports folder_id")
    func filters() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await Self.addApart(
                [
                    Self.video("a", title: "Launch teaser", folder: "f1"),
                    Self.video("b", title: "Recap", folder: "f2"),
                    Self.video("c", title: "Launch day", folder: "f1"), Self.video("d", title: "launch recap"),
                ], to: simulator)
            let folder = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?folder_id=f1").json
            #expect(Self.ids(folder) == ["c", "a"])
            #expect(folder["data"]?.arrayValue?.allSatisfy { $0["folder_id"] == "f1" } == true)
            let titled = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?title=launch").json
            #expect(Self.ids(titled) == ["d", "c", "a"])
            let both = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos?title=Launch%20day&folder_id=f1").json
            #expect(Self.ids(both) == ["c"])
            let detail = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos/a").json
            #expect(detail["data"]?["folder_id"] == "f1")
        }
    }

    @Test("translations are listed on their own route, newest first, with an id and created_at each")
    func translations() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await Self.addApart(
                [
                    SimulatedJob(ref: JobRef(api: .translate, id: "t1")), Self.video("v1"),
                    SimulatedJob(ref: JobRef(api: .translate, id: "t2")),
                ], to: simulator)
            let body = try await RawHTTP.get("\(endpoint.heygenURL)/v3/video-translations").json
            #expect(Self.ids(body) == ["t2", "t1"])
            #expect(body["data"]?.arrayValue?.allSatisfy { $0["created_at"]?.number != nil } == true)
            #expect(body["has_more"] == false)
            // The status and bulk routes beside the list still answer.
            #expect(try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos/v1").status == 200)
            #expect(try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos/statuses?video_ids=v1").status == 200)
        }
    }

    @Test("a list request without the right key gets 401 in the v3 shape and is logged unauthorized")
    func unauthorized() async throws {
        try await SimulatorHarness.run([Self.video("v1")]) { simulator, endpoint in
            for path in ["/v3/videos", "/v3/video-translations"] {
                let answer = try await RawHTTP.get(endpoint.heygenURL + path, apiKey: "wrong")
                #expect(answer.status == 401)
                #expect(try answer.json["error"]?["code"] == "unauthorized")
            }
            #expect(await simulator.requests.map(\.authorized) == [false, false])
            #expect(await simulator.counts.listRequests == 2)
        }
    }

    @Test("the status client reads the pages through both adapters; a 401 is auth_failed without a ref")
    func client() async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            await Self.addApart(
                [
                    Self.video("v1", folder: "f"), SimulatedJob(ref: JobRef(api: .translate, id: "t1")),
                    Self.video("v2"),
                ], to: simulator)
            let client = SimulatorHarness.client(endpoint)
            let page = try await client.renderListPage(of: .v3, limit: 1)
            #expect(page.renders.map(\.ref) == [JobRef(api: .v3, id: "v2")])
            let next = try await client.renderListPage(of: .v3, token: page.nextToken, limit: 1)
            #expect(next.renders.map(\.ref) == [JobRef(api: .v3, id: "v1")])
            #expect(next.renders.first?.folderID == "f")
            #expect(next.renders.first?.state == .succeeded)
            #expect(next.nextToken == nil)
            let created = try #require(next.renders.first?.createdAt)
            #expect(try #require(page.renders.first?.createdAt).timeIntervalSince(created) == 120)
            let translations = try await client.renderListPage(of: .translate)
            #expect(translations.renders.map(\.ref) == [JobRef(api: .translate, id: "t1")])
            await #expect(throws: ReelWatchError.self) { try await client.renderListPage(of: .hera) }

            let rejected = SimulatorHarness.client(endpoint, apiKey: "wrong")
            do throws(ReelWatchError) {
                _ = try await rejected.renderListPage(of: .v3)
                Issue.record("a wrong key was accepted")
            } catch {
                #expect(error.code == .authenticationFailed)
                #expect(error.ref == nil)
                #expect(!error.description.contains("wrong"))
            }
        }
    }

    @Test("a list page meets the status client's retries: a 429 with Retry-After is waited out on its clock, a 503 too")
    func retried() async throws {
        try await SimulatorHarness.run([Self.video("v1")]) { simulator, endpoint in
            await simulator.inject(.rateLimited(retryAfter: 7), times: 1)
            await simulator.inject(.serverError(status: 503), times: 1)
            let clock = ManualClock()
            let client = SimulatorHarness.client(endpoint, clock: clock)
            let listing = Task { try await client.renderListPage(of: .v3) }
            let first = await clock.nextSleep()
            #expect(first.offset >= .seconds(7))
            clock.advance(to: first)
            clock.advance(to: await clock.nextSleep())
            let page = try await listing.value
            #expect(page.renders.map(\.ref) == [JobRef(api: .v3, id: "v1")])
            #expect(await simulator.counts.listRequests == 3)
        }
    }
}
