import Foundation
import NIOHTTP1
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The simulator itself, seen over plain HTTP on loopback: routes, answer shapes, time, files and faults.
@Suite("Simulator over HTTP")
struct SimulatorServerTests {
    /// The status URL of `ref` on `endpoint`.
    static func statusURL(_ ref: JobRef, _ endpoint: SimulatorServer.Endpoint) -> String {
        let id = BaseURL.encode(ref.id)
        return switch ref.api {
        case .v3: "\(endpoint.heygenURL)/v3/videos/\(id)"
        case .v1: "\(endpoint.heygenURL)/v1/video_status.get?video_id=\(id)"
        case .translate: "\(endpoint.heygenURL)/v3/video-translations/\(id)"
        case .translateV2: "\(endpoint.heygenURL)/v2/video_translate/\(id)"
        case .hera: "\(endpoint.heraURL)/videos/\(id)"
        default: "\(endpoint.heygenURL)" + ref.api.adapter.statusRoute.replacingOccurrences(of: "{id}", with: id)
        }
    }

    @Test(
        "each API: a request without the key gets 401 in that provider's shape and is logged unauthorized",
        arguments: ProviderAPI.allCases)
    func unauthorized(api: ProviderAPI) async throws {
        let ref = JobRef(api: api, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(api)]) { simulator, endpoint in
            let answer = try await RawHTTP.get(Self.statusURL(ref, endpoint), apiKey: "wrong")
            #expect(answer.status == 401)
            let body = try answer.json
            #expect(body["data"]?.objectValue == nil)
            #expect(body["error"] != nil || body["message"] != nil)
            #expect(await simulator.requests.map(\.authorized) == [false])
            #expect(answer.headers["server"].first == "reelwatch-simulator")
        }
    }

    @Test("each API: an unknown ID gets 404, which the adapter reads as not found", arguments: ProviderAPI.allCases)
    func unknownJob(api: ProviderAPI) async throws {
        let ref = JobRef(api: api, id: "nobody")
        try await SimulatorHarness.run([]) { _, endpoint in
            let answer = try await RawHTTP.get(Self.statusURL(ref, endpoint))
            #expect(answer.status == 404)
            let error = try await #require(throws: ReelWatchError.self) {
                try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            }
            #expect(error.code == .jobNotFound)
        }
    }

    @Test(
        "each API: the provider's own status words, in order, as simulated time passes",
        arguments: [
            (ProviderAPI.v1, ["waiting", "pending", "processing", "completed"]),
            (.v3, ["pending", "pending", "processing", "completed"]),
            (.translate, ["pending", "pending", "running", "completed"]),
            (.translateV2, ["pending", "pending", "running", "success"]),
            (.hera, ["in-progress", "in-progress", "in-progress", "success"]),
        ])
    func statusWords(api: ProviderAPI, words: [String]) async throws {
        let ref = JobRef(api: api, id: "w")
        let job = SimulatedJob(ref: ref, queueTime: .seconds(60), renderTime: .seconds(300))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            var seen: [String] = []
            for step in [0, 40, 60, 300] {
                await simulator.advance(by: .seconds(step))
                let body = try await RawHTTP.get(Self.statusURL(ref, endpoint)).json
                seen.append((body["data"] ?? body)["status"]?.text ?? "-")
            }
            #expect(seen == words)
        }
    }

    @Test("time: a simulator at 60x on a manual clock is 60 s further on per second, plus what advance adds")
    func compressedTime() async {
        let clock = ManualClock()
        let simulator = Simulator(timeScale: 60, clock: clock)
        #expect(await simulator.now == .zero)
        clock.advance(by: .seconds(2))
        #expect(await simulator.now == .seconds(120))
        await simulator.advance(by: .seconds(5))
        #expect(await simulator.now == .seconds(125))
    }

    @Test("CompressedClock on a manual base: 60 compressed seconds a base second; a sleep waits 1/60 of its span")
    func compressedClock() async throws {
        let base = ManualClock()
        let clock = CompressedClock(scale: 60, base: base)
        #expect(clock.now.offset == .zero)
        base.advance(by: .seconds(2))
        #expect(clock.now.offset == .seconds(120))
        let sleeper = Task { try await clock.sleep(until: clock.now.advanced(by: .seconds(600))) }
        let deadline = await base.nextSleep()
        #expect(base.now.duration(to: deadline) == .seconds(10))
        base.advance(to: deadline)
        try await sleeper.value
        #expect(clock.now.offset == .seconds(720))
    }

    @Test("bulk status: words per video, not_found for unknown IDs, item_index in order, more than 100 refused")
    func bulk() async throws {
        let queued = SimulatedJob(ref: JobRef(api: .v3, id: "q"), queueTime: .seconds(60))
        let failed = SimulatedJob(
            ref: JobRef(api: .v3, id: "f"), queueTime: .zero, renderTime: .zero,
            outcome: SimulatedJob.documentedFailure(for: .v3))
        try await SimulatorHarness.run([queued, failed, SimulatorHarness.done(.v3, "d")]) { simulator, endpoint in
            let url = "\(endpoint.heygenURL)/v3/videos/statuses?video_ids=q,f,d,zz"
            let body = try await RawHTTP.get(url).json
            let items = body["data"]?.arrayValue ?? []
            #expect(items.compactMap { $0["video_id"]?.text } == ["q", "f", "d", "zz"])
            #expect(items.compactMap { $0["status"]?.text } == ["queued", "failed", "completed", "not_found"])
            #expect(items.compactMap { $0["item_index"]?.number } == [0, 1, 2, 3])
            #expect(items[1]["error"]?["code"]?.text == "script_too_long")
            #expect(body["has_more"]?.bool == false)
            let many = (0...100).map { "v\($0)" }.joined(separator: ",")
            let refused = try await RawHTTP.get("\(endpoint.heygenURL)/v3/videos/statuses?video_ids=\(many)")
            #expect(refused.status == 400)
            let counts = await simulator.counts
            #expect(counts.bulkRequests == 2)
            #expect(counts.bulkIDs == 4 + 101)
        }
    }

    @Test("files: 200 with an ETag, a Range gets 206 and Content-Range, past the end 416, If-Range mismatch 200")
    func fileRanges() async throws {
        let ref = JobRef(api: .v3, id: "r")
        let job = SimulatedJob(ref: ref, queueTime: .zero, renderTime: .zero, videoSize: 10_000)
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let status = try await RawHTTP.get(Self.statusURL(ref, endpoint)).json
            let link = try #require(status["data"]?["video_url"]?.text)
            let whole = try await RawHTTP.get(link, apiKey: nil)
            #expect(whole.status == 200)
            #expect(whole.body.count == 10_000)
            let etag = try #require(whole.headers["etag"].first)
            let tail = try await RawHTTP.get(link, apiKey: nil, headers: [("Range", "bytes=9000-")])
            #expect(tail.status == 206)
            #expect(tail.headers["content-range"].first == "bytes 9000-9999/10000")
            #expect(tail.body == Array(whole.body[9000...]))
            let past = try await RawHTTP.get(link, apiKey: nil, headers: [("Range", "bytes=10000-")])
            #expect(past.status == 416)
            #expect(past.headers["content-range"].first == "bytes */10000")
            let changed = try await RawHTTP.get(
                link, apiKey: nil, headers: [("Range", "bytes=9000-"), ("If-Range", "\"other\"")])
            #expect(changed.status == 200)
            #expect(changed.body.count == 10_000)
            let same = try await RawHTTP.get(
                link, apiKey: nil, headers: [("Range", "bytes=9000-"), ("If-Range", etag)])
            #expect(same.status == 206)
            #expect(await simulator.bytesServed(path: "/files/v3/r/video.mp4") == 10_000 + 1_000 + 10_000 + 1_000)
        }
    }

    @Test("files: a link that has expired gets 403, a job still rendering has no file (404)")
    func fileRefusals() async throws {
        let done = JobRef(api: .v3, id: "e")
        let rendering = SimulatedJob(ref: JobRef(api: .v3, id: "later"), queueTime: .seconds(60))
        try await SimulatorHarness.run([SimulatorHarness.done(.v3, "e"), rendering]) { simulator, endpoint in
            await simulator.expireLinks(times: 1, for: done)
            let expired = try await RawHTTP.get(Self.statusURL(done, endpoint)).json
            let link = try #require(expired["data"]?["video_url"]?.text)
            let refused = try await RawHTTP.get(link, apiKey: nil)
            #expect(refused.status == 403)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("Request has expired"))
            let fresh = try await RawHTTP.get(Self.statusURL(done, endpoint)).json
            let good = try #require(fresh["data"]?["video_url"]?.text)
            #expect(try await RawHTTP.get(good, apiKey: nil).status == 200)
            let early = try await RawHTTP.get("http://127.0.0.1:\(endpoint.port)/files/v3/later/video.mp4", apiKey: nil)
            #expect(early.status == 404)
        }
    }

    @Test("faults: a rate limit with Retry-After for the next 2 requests of one job, then the normal answer")
    func faultsCountDown() async throws {
        let ref = JobRef(api: .v3, id: "job-1")
        let other = JobRef(api: .v3, id: "job-2")
        try await SimulatorHarness.run([SimulatorHarness.done(.v3), SimulatorHarness.done(.v3, "job-2")]) {
            simulator, endpoint in
            await simulator.inject(.rateLimited(retryAfter: 7), times: 2, for: ref)
            var statuses: [Int] = []
            for _ in 0..<3 {
                let answer = try await RawHTTP.get(Self.statusURL(ref, endpoint))
                statuses.append(answer.status)
                if answer.status == 429 { #expect(answer.headers["retry-after"].first == "7") }
            }
            #expect(statuses == [429, 429, 200])
            #expect(try await RawHTTP.get(Self.statusURL(other, endpoint)).status == 200)
            #expect(await simulator.statusRequestCount(for: ref) == 3)
        }
    }
}
