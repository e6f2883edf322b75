import Foundation
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchTesting
import Testing

/// The status client against the simulator over real HTTP on loopback, with backoff on a manual clock.
@Suite("Status client over HTTP")
struct StatusClientTests {
    @Test(
        "each API: a finished job, the key and User-Agent sent, the path prefix kept", arguments: ProviderAPI.allCases)
    func finished(api: ProviderAPI) async throws {
        try await SimulatorHarness.run([SimulatorHarness.done(api)]) { simulator, endpoint in
            let snapshot = try await SimulatorHarness.client(endpoint).snapshot(of: JobRef(api: api, id: "job-1"))
            #expect(snapshot.state == .succeeded)
            #expect(snapshot.ref == JobRef(api: api, id: "job-1"))
            // A batch has no files of its own: its member has them.
            #expect(snapshot.assets.isEmpty == (api.memberAdapter != nil))
            #expect(snapshot.members.count == (api.memberAdapter != nil ? 1 : 0))
            #expect(
                snapshot.assets.allSatisfy { $0.url?.hasPrefix("http://127.0.0.1:\(endpoint.port)/files/") == true })
            // The status request, and the links request of an API that gives links that way: both with the key.
            let requests = await simulator.requests
            // A proofread's links and a Video Agent session's video are asked in the same call: one more request.
            #expect(requests.count == (api.linkAdapter == nil && snapshot.handover == nil ? 1 : 2))
            #expect(requests.allSatisfy { $0.authorized })
            #expect(requests.allSatisfy { $0.userAgent == "reelwatch/\(ReelWatchVersion.current)" })
        }
    }

    @Test(
        "IDs with reserved characters are percent-encoded and reach the provider intact",
        arguments: ProviderAPI.allCases)
    func encodedIDs(api: ProviderAPI) async throws {
        let id = "a b/c?d&e=f#ü%"
        try await SimulatorHarness.run([SimulatorHarness.done(api, id)]) { _, endpoint in
            let snapshot = try await SimulatorHarness.client(endpoint).snapshot(of: JobRef(api: api, id: id))
            #expect(snapshot.id == id)
            #expect(snapshot.state == .succeeded)
        }
    }

    @Test("a job moves from queued to processing to succeeded as simulated time passes")
    func progresses() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v1, id: "p"), queueTime: .seconds(60), renderTime: .seconds(300))
        try await SimulatorHarness.run([job]) { simulator, endpoint in
            let client = SimulatorHarness.client(endpoint)
            var words: [String] = []
            for step in [0, 40, 60, 300] {
                await simulator.advance(by: .seconds(step))
                let snapshot = try await client.snapshot(of: job.ref)
                words.append("\(snapshot.state.rawValue)/\(snapshot.providerStatus?.rawValue ?? "-")")
            }
            #expect(words == ["queued/waiting", "queued/pending", "processing/processing", "succeeded/completed"])
        }
    }

    @Test("429 with Retry-After is retried after at least the time asked, then succeeds")
    func rateLimited() async throws {
        let ref = JobRef(api: .v3, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.v3)]) { simulator, endpoint in
            await simulator.inject(.rateLimited(retryAfter: 7), times: 2, for: ref)
            let clock = ManualClock()
            let client = SimulatorHarness.client(endpoint, clock: clock)
            let task = Task { try await client.snapshot(of: ref) }
            for _ in 0..<2 {
                let deadline = await clock.nextSleep()
                #expect(clock.now.duration(to: deadline) == .seconds(7))
                clock.advance(to: deadline)
            }
            let final = try await task.value
            #expect(final.state == .succeeded)
            #expect(await simulator.statusRequestCount(for: ref) == 3)
        }
    }

    @Test("5xx pages and HeyGen's 400 request limit are retried with full-jitter backoff")
    func transientFailures() async throws {
        let ref = JobRef(api: .v1, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.v1)]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 502), times: 1, for: ref)
            await simulator.inject(.requestLimit, times: 1, for: ref)
            await simulator.inject(.serverError(status: 503), times: 1, for: ref)
            let clock = ManualClock()
            let task = Task { try await SimulatorHarness.client(endpoint, clock: clock).snapshot(of: ref) }
            var delays: [Duration] = []
            for _ in 0..<3 {
                let deadline = await clock.nextSleep()
                delays.append(clock.now.duration(to: deadline))
                clock.advance(to: deadline)
            }
            // Caps 1 s, 2 s, 4 s; the fixed random source draws half of each.
            #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2)])
            let final = try await task.value
            #expect(final.state == .succeeded)
        }
    }

    @Test("a provider that keeps failing gives up after the retries with the status and an excerpt")
    func keepsFailing() async throws {
        let ref = JobRef(api: .hera, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.hera)]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 503), for: ref)
            let clock = ManualClock()
            let task = Task { try await SimulatorHarness.client(endpoint, clock: clock, retries: 2).snapshot(of: ref) }
            for _ in 0..<2 { clock.advance(to: await clock.nextSleep()) }
            let error = try await #require(throws: ReelWatchError.self) { try await task.value }
            #expect(error.code == .providerUnavailable)
            #expect(error.httpStatus == 503)
            #expect(error.message.contains("Hera kept failing after 3 attempts"))
            #expect(error.message.contains("HTTP 503"))
            #expect(error.message.contains("an HTML page"))
            #expect(await simulator.statusRequestCount(for: ref) == 3)
        }
    }

    @Test("a Retry-After longer than reelwatch waits fails at once")
    func retryAfterTooLong() async throws {
        let ref = JobRef(api: .v3, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.v3)]) { simulator, endpoint in
            await simulator.inject(.rateLimited(retryAfter: 3600), for: ref)
            let error = try await #require(throws: ReelWatchError.self) {
                try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            }
            #expect(error.code == .providerUnavailable)
            #expect(error.message.contains("asked to retry after"))
            #expect(await simulator.statusRequestCount(for: ref) == 1)
        }
    }

    @Test("an unknown job is not found, for every API, without retries", arguments: ProviderAPI.allCases)
    func notFound(api: ProviderAPI) async throws {
        try await SimulatorHarness.run([]) { simulator, endpoint in
            let ref = JobRef(api: api, id: "nope")
            let error = try await #require(throws: ReelWatchError.self) {
                try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            }
            #expect(error.code == .jobNotFound)
            #expect(error.httpStatus == 404)
            #expect(error.ref == ref)
            // A legacy route's 404 is asked once more, on its successor (the IDs name the same renders).
            #expect(await simulator.requests.count == (api.successor == nil ? 1 : 2))
        }
    }

    @Test(
        "a rejected key names its provider, gives no CLI advice and never shows the key",
        arguments: ProviderAPI.allCases)
    func rejectedKey(api: ProviderAPI) async throws {
        try await SimulatorHarness.run([SimulatorHarness.done(api)]) { _, endpoint in
            let key = "sk-live-very-secret-123"
            let error = try await #require(throws: ReelWatchError.self) {
                try await SimulatorHarness.client(endpoint, apiKey: key).snapshot(of: JobRef(api: api, id: "job-1"))
            }
            #expect(error.code == .authenticationFailed)
            #expect(error.httpStatus == 401)
            #expect(error.provider == api.provider)
            #expect(error.hint == nil)
            #expect(!"\(error) \(error.hint ?? "") \(String(reflecting: error))".contains(key))
        }
    }

    @Test("a missing key fails before any request")
    func missingKey() async throws {
        try await SimulatorHarness.run([SimulatorHarness.done(.hera)]) { simulator, endpoint in
            var client = SimulatorHarness.client(endpoint)
            client.configuration.heraAPIKey = nil
            let error = try await #require(throws: ReelWatchError.self) {
                try await client.snapshot(of: JobRef(api: .hera, id: "job-1"))
            }
            #expect(error.code == .missingAPIKey)
            #expect(error.message.contains("HERA_API_KEY"))
            #expect(await simulator.requests.isEmpty)
        }
    }

    @Test(
        "a 200 that is not a valid status is a clear error",
        arguments: [
            (SimulatorFault.htmlPage, "an HTML page, not JSON"),
            (.truncatedBody, "malformed or truncated JSON"),
            (.errorObject, "internal_error: Something went wrong on our side"),
        ]
    )
    func invalidAnswers(fault: SimulatorFault, words: String) async throws {
        let ref = JobRef(api: .v3, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.v3)]) { simulator, endpoint in
            await simulator.inject(fault, for: ref)
            let error = try await #require(throws: ReelWatchError.self) {
                try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            }
            #expect(error.code == .invalidResponse)
            #expect(error.httpStatus == 200)
            #expect(error.message.contains(words), "\(error.message)")
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains("Signature="))
        }
    }

    @Test("a never-seen status comes back as unknown, verbatim")
    func unknownStatus() async throws {
        let ref = JobRef(api: .translate, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.translate)]) { simulator, endpoint in
            await simulator.inject(.unknownStatus("proofreading"), for: ref)
            let snapshot = try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            #expect(snapshot.state == .unknown)
            #expect(snapshot.providerStatus?.rawValue == "proofreading")
        }
    }

    @Test("cancelling a request that is backing off ends it at once")
    func cancellation() async throws {
        let ref = JobRef(api: .v3, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.v3)]) { simulator, endpoint in
            await simulator.inject(.serverError(status: 500), for: ref)
            let clock = ManualClock()
            let task = Task { try await SimulatorHarness.client(endpoint, clock: clock).snapshot(of: ref) }
            _ = await clock.nextSleep()
            task.cancel()
            let error = try await #require(throws: ReelWatchError.self) { try await task.value }
            #expect(error.code == .cancelled)
            #expect(clock.sleeperCount == 0)
        }
    }

    @Test("a connection that is refused is retried, then reported with the host")
    func connectionRefused() async throws {
        var configuration = Configuration.defaults
        configuration.heygenBaseURL = try #require(BaseURL("http://127.0.0.1:1/heygen"))
        configuration.heygenAPIKey = APIKey("k")
        let clock = ManualClock()
        let client = StatusClient(
            configuration: configuration,
            retryPolicy: RetryPolicy(maxRetries: 1),
            requestTimeout: .milliseconds(500),
            clock: clock,
            random: { 0.5 },
            wallClock: { SimulatorHarness.epoch },
            logger: SimulatorHarness.quiet
        )
        let task = Task { try await client.snapshot(of: JobRef(api: .v3, id: "x")) }
        clock.advance(to: await clock.nextSleep())
        let error = try await #require(throws: ReelWatchError.self) { try await task.value }
        #expect(error.code == .providerUnavailable)
        #expect(error.message.contains("could not reach HeyGen at 127.0.0.1:1"))
    }

    @Test("a slow answer past the request timeout counts as a transient failure")
    func slowAnswer() async throws {
        let ref = JobRef(api: .hera, id: "job-1")
        try await SimulatorHarness.run([SimulatorHarness.done(.hera)]) { simulator, endpoint in
            await simulator.inject(.slow(.milliseconds(1500)), times: 1, for: ref)
            let client = SimulatorHarness.client(endpoint, retries: 0, requestTimeout: .milliseconds(250))
            let error = try await #require(throws: ReelWatchError.self) { try await client.snapshot(of: ref) }
            #expect(error.code == .providerUnavailable)
            #expect(error.message == "Hera kept failing after 1 attempt: Hera sent no answer within 250ms")
            // The next request is answered normally.
            let next = try await SimulatorHarness.client(endpoint).snapshot(of: ref)
            #expect(next.state == .succeeded)
        }
    }

    @Test("several refs are fetched concurrently and delivered in the order given, duplicates once")
    func batchOrder() async throws {
        let jobs = ProviderAPI.allCases.map { SimulatorHarness.done($0, "job-\($0.rawValue)") }
        try await SimulatorHarness.run(jobs) { simulator, endpoint in
            let refs = jobs.map(\.ref) + [JobRef(api: .hera, id: "missing"), jobs[0].ref]
            var delivered: [String] = []
            await SimulatorHarness.client(endpoint).snapshots(of: refs, concurrency: 3) { index, result in
                switch result {
                case .success(let snapshot): delivered.append("\(index):\(snapshot.ref)")
                case .failure(let error): delivered.append("\(index):\(error.code)")
                }
            }
            #expect(
                delivered
                    == refs.enumerated().map { index, ref in
                        ref.id == "missing" ? "\(index):not_found" : "\(index):\(ref)"
                    })
            // One request a ref; a proofread's links and a Video Agent session's video are asked in the same call.
            let handovers = jobs.count { $0.ref.api.adapter is HeyGenAgentProvider }
            let linkRequests = ProviderAPI.allCases.count { $0.linkAdapter != nil }
            #expect(await simulator.requests.count == jobs.count + 1 + handovers + linkRequests)
        }
    }
}
