import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import ReelWatch
import ReelWatchSimulator
import ReelWatchTestSupport
import ReelWatchWebhooks
import Subprocess
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `reelwatch serve` as a process: it answers, takes a signed delivery, stops on SIGTERM, and is one worker.
@Suite("reelwatch serve")
struct ServeCommandTests {
    /// What the test saw while `serve` ran.
    actor Seen {
        var health: Int?
        var delivery: (status: Int, text: String)?
        var polls = 0
        var second: CLI.Run?
        var signalled: ContinuousClock.Instant?

        func record(health: Int) { self.health = health }
        func recordSignal() { signalled = .now }
        func record(delivery: (Int, String)) { self.delivery = delivery }
        func record(polls: Int) { self.polls = polls }
        func record(second: CLI.Run) { self.second = second }
    }

    /// What the test saw of a connection storm and of the `/healthz` after it.
    actor StormSeen {
        var storm: ConnectionStorm.Outcome?
        var health: (answer: String, after: Duration)?

        var landed: Duration?

        func record(storm: ConnectionStorm.Outcome) { self.storm = storm }
        func record(health answer: String, after: Duration) { health = (answer, after) }
        func record(landed after: Duration) { landed = after }
    }

    /// A port nobody listens on right now (the kernel's pick for a socket bound and closed at once).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(5)) async -> (Int, String)? {
        guard let response = try? await HTTPClient.shared.execute(request, timeout: timeout),
            let body = try? await response.body.collect(upTo: 1 << 16)
        else { return nil }
        return (Int(response.status.code), String(buffer: body))
    }

    @Test(
        "serve answers healthz, takes one signed delivery (the job polled again at once), exits 130 on SIGTERM; a second serve on the store exits 8"
    )
    func serve() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "v1"), queueTime: .zero, renderTime: .seconds(3600))
        try await CLI.withSimulator([job]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            environment["REELWATCH_WEBHOOK_SECRET"] = "whsec_old, whsec_new"
            let added = try await CLI.run(["track", "add", "heygen:v1"], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            let port = try Self.freePort()
            let base = "http://127.0.0.1:\(port)"
            let seen = Seen()
            let environmentForSecond = environment
            let run = try await CLI.run(
                ["serve", "--port", "\(port)", "--no-bulk"], environment: environment,
                interruptWhen: {
                    guard await Self.send(HTTPClientRequest(url: base + "/healthz"))?.0 == 200,
                        await simulator.statusRequestCount(for: job.ref) == 1
                    else { return false }
                    await seen.record(health: 200)
                    let body = Array(#"{"event_type":"avatar_video.success","event_data":{"video_id":"v1"}}"#.utf8)
                    var request = HTTPClientRequest(url: base + "/webhooks/heygen")
                    request.method = .POST
                    request.headers.add(
                        name: "Heygen-Signature", value: WebhookSignature.sign(body, secret: "whsec_new"))
                    request.headers.add(name: "Heygen-Timestamp", value: String(Int(Date().timeIntervalSince1970)))
                    request.headers.add(name: "Heygen-Event-Id", value: "evt-cli")
                    request.body = .bytes(body)
                    if let answer = await Self.send(request) { await seen.record(delivery: answer) }
                    for _ in 0..<2500 where await simulator.statusRequestCount(for: job.ref) < 2 {
                        try? await Task.sleep(for: .milliseconds(2))
                    }
                    await seen.record(polls: await simulator.statusRequestCount(for: job.ref))
                    if let second = try? await CLI.run(
                        ["serve", "--port", "0"], environment: environmentForSecond)
                    {
                        await seen.record(second: second)
                    }
                    return true
                },
                signal: .terminate)
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderrLines.first?.hasPrefix("reelwatch: serving \(base)/webhooks/heygen") == true)
            #expect(
                run.stderrLines.last
                    == "reelwatch: interrupted by SIGTERM: serve stopped; downloads in flight stay as .part "
                    + "(start it again to go on)")
            #expect(!run.stderr.contains("whsec"))
            #expect(await seen.health == 200)
            #expect(await seen.delivery?.status == 200)
            #expect(await seen.delivery?.text == "made_due\n")
            #expect(await seen.polls == 2)
            let second = try #require(await seen.second)
            #expect(second.status == 8)
            #expect(second.stderr.contains("another process is working the jobs"))

            let queue = try DatabaseQueue(path: environment["REELWATCH_HOME"]! + "/reelwatch.sqlite")
            let events = try await queue.read { db in try String.fetchAll(db, sql: "SELECT event_id FROM webhook_event")
            }
            #expect(events == ["evt-cli"])
        }
    }

    @Test(
        "SIGTERM mid-delivery: serve answers the delivery whose body is still arriving, records its event, exits 130"
    )
    func terminatedMidDelivery() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "v1"), queueTime: .zero, renderTime: .seconds(3600))
        try await CLI.withSimulator([job]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            environment["REELWATCH_WEBHOOK_SECRET"] = "whsec_drain"
            let added = try await CLI.run(["track", "add", "heygen:v1"], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            let port = try Self.freePort()
            let base = "http://127.0.0.1:\(port)"
            let body = Array(
                #"{"event_type":"avatar_video.success","event_data":{"video_id":"v1","pad":"\#(String(repeating: "x", count: 2000))"}}"#
                    .utf8)
            let (chunks, chunksContinuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            var request = HTTPClientRequest(url: base + "/webhooks/heygen")
            request.method = .POST
            request.headers.add(name: "Heygen-Signature", value: WebhookSignature.sign(body, secret: "whsec_drain"))
            request.headers.add(name: "Heygen-Timestamp", value: String(Int(Date().timeIntervalSince1970)))
            request.headers.add(name: "Heygen-Event-Id", value: "evt-sigterm")
            request.body = .stream(chunks, length: .known(Int64(body.count)))
            let sending = Mutex(false)
            let delivery = Task<(Int, String)?, Never> {
                // Waits for serve to answer (a kept-alive connection, so the delivery goes out at once).
                for _ in 0..<3000 {
                    if await Self.send(HTTPClientRequest(url: base + "/healthz"))?.0 == 200 { break }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                sending.withLock { $0 = true }
                // Time for a loaded machine: the answer comes after the signal, the rest of the body and the store.
                return await Self.send(request, timeout: .seconds(30))
            }
            let run = try await CLI.run(
                ["serve", "--port", "\(port)", "--no-bulk"], environment: environment,
                interruptWhen: {
                    guard await simulator.statusRequestCount(for: job.ref) >= 1,
                        await Self.send(HTTPClientRequest(url: base + "/healthz"))?.0 == 200,
                        sending.withLock({ $0 })
                    else { return false }
                    // The head and the first part of the body are on their way when SIGTERM comes (a second for
                    // them to reach serve on a loaded machine); the rest follows after it.
                    chunksContinuation.yield(ByteBuffer(bytes: body.prefix(200)))
                    try? await Task.sleep(for: .seconds(1))
                    Task {
                        try? await Task.sleep(for: .milliseconds(500))
                        chunksContinuation.yield(ByteBuffer(bytes: body.dropFirst(200)))
                        chunksContinuation.finish()
                    }
                    return true
                },
                signal: .terminate)
            let answer = await delivery.value
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderrLines.last?.hasPrefix("reelwatch: interrupted by SIGTERM: serve stopped") == true)
            #expect(answer?.0 == 200, "\(String(describing: answer)) \(run.stderr)")
            #expect(answer?.1 == "made_due\n")
            #expect(!run.stderr.contains("whsec"))
            let queue = try DatabaseQueue(path: environment["REELWATCH_HOME"]! + "/reelwatch.sqlite")
            let events = try await queue.read { db in try String.fetchAll(db, sql: "SELECT event_id FROM webhook_event")
            }
            #expect(events == ["evt-sigterm"])
        }
    }

    @Test(
        "serve polls a job webhooks cover only as a safety net (--safety-delay); run polls it on its render-time schedule"
    )
    func safetyNet() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "v1"), queueTime: .zero, renderTime: .seconds(100_000))
        try await CLI.withSimulator([job]) { simulator, base in
            // Time runs 200 times faster in both engines (the hidden --time-scale of the benchmarks): serve's
            // 10-minute safety net is 3 s, run's render-time schedule asks every 5 to 60 simulated seconds (25 to
            // 300 ms), which a loaded machine still keeps up with.
            let engine = ["--no-bulk", "--time-scale", "200", "--rate-limit", "1000"]
            var served = base
            served["REELWATCH_HOME"] = TrackCommandTests.home()
            served["REELWATCH_WEBHOOK_SECRET"] = "whsec_net"
            #expect(try await CLI.run(["track", "add", "heygen:v1"], environment: served).status == 0)
            let serve = try await CLI.run(
                ["serve", "--port", "0", "--reconcile-every", "0"] + engine, environment: served,
                interruptAfter: .seconds(5))
            #expect(serve.status == 130, "\(serve.stderr)")
            let servePolls = await simulator.statusRequestCount(for: job.ref)

            var ran = base
            ran["REELWATCH_HOME"] = TrackCommandTests.home()
            #expect(try await CLI.run(["track", "add", "heygen:v1"], environment: ran).status == 0)
            let run = try await CLI.run(["run"] + engine, environment: ran, interruptAfter: .seconds(5))
            #expect(run.status == 130, "\(run.stderr)")
            let runPolls = await simulator.statusRequestCount(for: job.ref) - servePolls
            // Up to 1,000 simulated seconds each (less the start-up): serve asks at once and then every 600 s; run
            // at least every 60 s — and so would serve if the safety net were off.
            #expect((1...3).contains(servePolls), "serve polled \(servePolls) times")
            #expect(runPolls >= 6, "run polled \(runPolls) times")
        }
    }

    @Test(
        "serve under ulimit -n 1024: 2,000 idle or half-sent connections are all closed (beyond the cap at once, the rest after the idle timeout), /healthz answers within 2 s once they are, and a job tracked meanwhile is polled and its file lands; also with a cap over the limit (the descriptor table full: the file cannot be opened then, and lands within seconds once descriptors free up)",
        arguments: [nil, 4000])
    func idleConnections(maximumConnections: Int?) async throws {
        // The storm's 2,000 sockets, in this process.
        try #require(ConnectionStorm.allowDescriptors(2_500), "the hard limit of open files is under 2,500")
        let (warm, late) = (TrackCommandTests.job(.v3, "warm"), TrackCommandTests.job(.v3, "late"))
        try await CLI.withSimulator([warm, late]) { _, base in
            let home = TrackCommandTests.home()
            let environment = base.merging(["REELWATCH_HOME": home]) { $1 }
            let files = home + "/files"
            let port = try Self.freePort()
            let seen = StormSeen()
            // Over the cap the idle timeout is 6 s: the table stays full for seconds while the late job is polled.
            let idleTimeout = maximumConnections == nil ? "1s" : "6s"
            let run = try await CLI.run(
                ["serve", "--port", "\(port)", "--no-bulk", "--reconcile-every", "0", "--idle-timeout", idleTimeout]
                    + (maximumConnections.map { ["--max-connections", "\($0)"] } ?? []),
                environment: environment, descriptorLimit: 1024,
                interruptWhen: {
                    guard await Self.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"))?.0 == 200 else {
                        return false
                    }
                    // A first job, downloaded before the storm: serve's connections to the provider are open, so
                    // that the late job's status can be asked while the table is full, and only its file fails.
                    guard await Self.track(warm, into: files, environment: environment),
                        await Self.landed(files + "/heygen-warm-video.mp4", within: .seconds(20)) != nil
                    else { return true }
                    async let storm = ConnectionStorm.run(port: port, count: 2_000, within: .seconds(30))
                    try? await Task.sleep(for: .seconds(1))
                    let tracked = await Self.track(late, into: files, environment: environment)
                    guard let outcome = try? await storm, tracked else { return true }
                    await seen.record(storm: outcome)
                    // A new client once every connection of the storm is closed: answered at once.
                    let start = ContinuousClock.now
                    guard let connection = try? await RawConnection(port: port) else { return true }
                    try? await connection.sendAll("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    let answer = await connection.receiveAnswer(within: .seconds(10))
                    await seen.record(health: answer.text, after: ContinuousClock.now - start)
                    // And the engine goes on: the late job's file lands.
                    if await Self.landed(files + "/heygen-late-video.mp4", within: .seconds(40)) != nil {
                        await seen.record(landed: ContinuousClock.now - start)
                    }
                    return true
                })
            #expect(run.status == 130, "\(run.stderr)")
            if maximumConnections == nil {
                // Under the cap the descriptor table never fills: the engine and its store work on.
                #expect(!run.stderr.contains("reelwatch: error:"), "\(run.stderr)")
            } else {
                // The late job's file came when the table was full: told at most once (never a line per retry), tried
                // again within seconds. On a loaded machine its first try can come after descriptors freed: no line.
                let failures = run.stderrLines.filter { $0.hasSuffix("late-video.mp4.part: Too many open files") }
                #expect(failures.count <= 1, "\(run.stderr)")
            }
            let outcome = try #require(await seen.storm)
            #expect(outcome.closed == 2_000, "\(outcome)")
            let answered = try #require(await seen.health)
            #expect(answered.answer.hasSuffix("\r\n\r\nok\n"), "\(answered.answer)")
            #expect(answered.after < .seconds(2), "\(answered.after)")
            // Within the transient backoff (at most 10 s) and a scan of the store (1 s) of the storm's end; the old
            // engine waited a failed download's 60 s.
            let landed = try #require(await seen.landed, "the late job's file did not land: \(run.stderr)")
            #expect(landed < .seconds(15), "\(landed)")
            #expect(run.stdout.contains("saved \(files)/heygen-late-video.mp4"), "\(run.stdout)")
        }
    }

    @Test("SIGTERM in the middle of serve's reconciliation over 400 event pages: exit 130 within a few pages")
    func terminatedMidReconciliation() async throws {
        // 40,000 renders that ended just now: as many webhook events, 400 pages of HeyGen's list of them.
        let simulator = Simulator(timeScale: 0)
        await simulator.add((0..<40_000).map { CLI.done(.v3, "e\($0)") })
        try await SimulatorServer(simulator: simulator, logger: CLI.quiet).withRunning { endpoint in
            var environment = endpoint.environment(apiKey: simulator.apiKey)
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            environment["REELWATCH_WEBHOOK_SECRET"] = "whsec_reconcile"
            let seen = Seen()
            let run = try await CLI.run(
                ["serve", "--port", "0", "--reconcile-every", "1h"], environment: environment,
                interruptWhen: {
                    guard await simulator.counts.eventListRequests >= 5 else { return false }
                    await seen.recordSignal()
                    return true
                },
                signal: .terminate)
            let took = ContinuousClock.now - (try #require(await seen.signalled))
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderr.contains("interrupted by SIGTERM: serve stopped"), "\(run.stderr)")
            // The old serve read every page of the round before it stopped.
            let requests = await simulator.counts.eventListRequests
            #expect(requests < 40, "\(requests) of 400 pages asked for after SIGTERM at 5")
            // Stopped within a few seconds of SIGTERM, generously bounded for a loaded machine.
            #expect(took < .seconds(15), "exited \(took) after SIGTERM")
        }
    }

    /// Tracks `job` with its files into `directory` (`track add` in its own process); whether that worked.
    static func track(_ job: SimulatedJob, into directory: String, environment: [String: String]) async -> Bool {
        let added = try? await CLI.run(
            ["track", "add", job.ref.description, "--download", directory], environment: environment)
        return added?.status == 0
    }

    /// How long it took for a file to appear at `path`; nil if it did not within `limit`.
    static func landed(_ path: String, within limit: Duration) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if FileManager.default.fileExists(atPath: path) { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test("serve with a control character in REELWATCH_WEBHOOK_SECRET: exit 2, naming the variable")
    func malformedSecret() async throws {
        let run = try await CLI.run(
            ["serve", "--port", "0"], environment: ["REELWATCH_WEBHOOK_SECRET": "whsec_a\u{7}b"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("REELWATCH_WEBHOOK_SECRET"))
        #expect(!run.stderr.contains("whsec_a"))
    }

    @Test("webhook callback-url: the store's capability URL, the same on every run; a bad --base is exit 2")
    func callbackURL() async throws {
        let environment = ["REELWATCH_HOME": NSTemporaryDirectory() + "reelwatch-callback-" + UUID().uuidString]
        let first = try await CLI.run(
            ["webhook", "callback-url", "--base", "https://hooks.example.com/"], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let prefix = "https://hooks.example.com/webhooks/heygen/callback/"
        #expect(first.stdout.hasPrefix(prefix))
        let token = first.stdout.dropFirst(prefix.count).dropLast()
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        let second = try await CLI.run(["webhook", "callback-url"], environment: environment)
        #expect(second.stdout == "http://127.0.0.1:8080/webhooks/heygen/callback/\(token)\n")
        let bad = try await CLI.run(
            ["webhook", "callback-url", "--base", "ftp://x?y"], environment: environment)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--base must be an http(s) URL"), "\(bad.stderr)")
    }

    @Test("serve --sync-every tracks the account's renders without IDs, as run does; its flags go together")
    func serveSync() async throws {
        let job = SimulatedJob(ref: JobRef(api: .v3, id: "synced"), queueTime: .zero, renderTime: .seconds(3600))
        try await CLI.withSimulator([job]) { simulator, base in
            var environment = base
            environment["REELWATCH_HOME"] = TrackCommandTests.home()
            let port = try Self.freePort()
            let run = try await CLI.run(
                [
                    "serve", "--port", "\(port)", "--no-bulk", "--sync-every", "1s", "--since", "1h", "--label", "team",
                    "--reconcile-every", "0",
                ],
                environment: environment,
                interruptWhen: { await simulator.statusRequestCount(for: job.ref) >= 1 })
            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stdout.contains("heygen:synced"))
            let list = try await CLI.run(["track", "list", "--json"], environment: environment)
            #expect(list.stdout.contains("\"heygen:synced\""))
            #expect(list.stdout.contains("\"team\""))
        }
        let window = try await CLI.run(["serve", "--since", "1h"])
        #expect(window.status == 2)
        #expect(window.stderr.contains("--since, --folder, --label and --kinds go with --sync-every"))
        let download = try await CLI.run(["serve", "--download", "files"])
        #expect(download.status == 2)
        #expect(download.stderr.contains("--download goes with --track-webhooks or --sync-every"))
    }
}
